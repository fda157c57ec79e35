package io.waveline.api;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import io.waveline.fleet.NodeRecord;

/** A node as the API shows it. */
public record NodeView(String name, String address, int sshPort, String sshUser, Map<String, String> labels,
        Gpu gpu, Map<String, String> versions, boolean available, String source, Instant firstSeenAt,
        Instant lastSeenAt) {

    public record Gpu(String vendor, String model, int count, boolean nvswitch) {
    }

    public static NodeView of(NodeRecord record) {
        return new NodeView(record.name, record.address, record.sshPort, record.sshUser, new TreeMap<>(record.labels),
                new Gpu(record.gpuVendor, record.gpuModel, record.gpuCount, record.nvswitch),
                new TreeMap<>(record.versions), record.available, record.source, record.firstSeenAt, record.lastSeenAt);
    }
}
