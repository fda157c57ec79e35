package io.waveline.plan;

import java.util.Map;

/**
 * What the planner knows of one node: its labels, GPU facts, installed component versions and whether it is in
 * service now. The fleet package maps its inventory records to this.
 */
public record NodeFacts(String name, Map<String, String> labels, String gpuVendor, String gpuModel, int gpuCount,
        boolean nvswitch, Map<String, String> versions, boolean available) {

    public String label(String key) {
        return labels.getOrDefault(key, "");
    }
}
