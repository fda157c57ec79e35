package io.waveline.fleet;

import java.util.Map;

import io.waveline.plan.NodeFacts;

/**
 * One GPU host as an inventory source reports it: how to reach it, its labels (pool, rack, zone, nvlink-domain,
 * power-feed, anything), its GPUs and the installed versions of each component.
 */
public record FleetNode(String name, String address, int sshPort, String sshUser, Map<String, String> labels,
        String gpuVendor, String gpuModel, int gpuCount, boolean nvswitch, Map<String, String> versions,
        boolean available, String source) {

    public NodeFacts facts() {
        return new NodeFacts(name, labels, gpuVendor, gpuModel, gpuCount, nvswitch, versions, available);
    }
}
