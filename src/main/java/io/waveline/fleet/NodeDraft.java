package io.waveline.fleet;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import io.waveline.plan.Components;
import io.waveline.plan.Problems;
import io.waveline.plan.SourcePosition;

/**
 * A node being read from an inventory file. Each setter checks its value and reports a precise problem (file,
 * line, field) instead of taking it; {@link #build(String)} fills the defaults.
 */
public final class NodeDraft {

    private static final Set<String> VENDORS = Set.of("nvidia", "amd");

    private final String name;
    private final Problems problems;
    private String address;
    private int port = 22;
    private String user;
    private final Map<String, String> labels = new TreeMap<>();
    private String gpuVendor = "nvidia";
    private String gpuModel = "unknown";
    private int gpuCount;
    private boolean nvswitch;
    private final Map<String, String> versions = new TreeMap<>();
    private boolean available = true;

    public NodeDraft(String name, SourcePosition at, String path, Problems problems) {
        this.name = name;
        this.problems = problems;
        if (!NodeFields.validName(name)) {
            problems.error(at, path, "\"" + name + "\" is not a valid node name; use letters, digits, '-', '_' and '.'");
        }
    }

    public String name() {
        return name;
    }

    public void address(String value, SourcePosition at, String path) {
        if (NodeFields.ADDRESS.matcher(value).matches()) {
            address = value;
        } else {
            problems.error(at, path, "\"" + value + "\" is not a host name or IP address");
        }
    }

    public void port(String value, SourcePosition at, String path) {
        port = integer(value, 1, 65535, at, path, port);
    }

    public void user(String value, SourcePosition at, String path) {
        if (NodeFields.USER.matcher(value).matches()) {
            user = value;
        } else {
            problems.error(at, path, "\"" + value + "\" is not a valid user name (lowercase letters, digits, _ . -)");
        }
    }

    public void label(String key, String value, SourcePosition at, String path) {
        if (!NodeFields.LABEL_KEY.matcher(key).matches()) {
            problems.error(at, path, "\"" + key + "\" is not a valid label name (letters, digits, '-', '_', '.', '/')");
        } else if (!NodeFields.LABEL_VALUE.matcher(value).matches()) {
            problems.error(at, path, "\"" + value + "\" is not a valid label value (up to 63 letters, digits, '-', '_', '.')");
        } else {
            labels.put(key, value);
        }
    }

    public void gpuVendor(String value, SourcePosition at, String path) {
        String vendor = value.toLowerCase();
        if (VENDORS.contains(vendor)) {
            gpuVendor = vendor;
        } else {
            problems.error(at, path, "\"" + value + "\" is not a GPU vendor; use nvidia or amd");
        }
    }

    public void gpuModel(String value, SourcePosition at, String path) {
        if (NodeFields.GPU_MODEL.matcher(value).matches()) {
            gpuModel = value;
        } else {
            problems.error(at, path, "\"" + value + "\" is not a GPU model name (e.g. H100-SXM5-80GB)");
        }
    }

    public void gpuCount(String value, SourcePosition at, String path) {
        gpuCount = integer(value, 0, 64, at, path, gpuCount);
    }

    public void nvswitch(String value, SourcePosition at, String path) {
        nvswitch = bool(value, at, path, nvswitch);
    }

    public void available(String value, SourcePosition at, String path) {
        available = bool(value, at, path, available);
    }

    public void version(String component, String version, SourcePosition at, String path) {
        if (!Components.ALL.contains(component)) {
            problems.error(at, path, "\"" + component + "\" is not a known component; known: "
                    + String.join(", ", Components.ALL.stream().sorted().toList()));
        } else if (!NodeFields.validVersion(version)) {
            problems.error(at, path, "\"" + version + "\" is not a valid version (letters, digits, . _ + ~ -)");
        } else {
            versions.put(component, version);
        }
    }

    /** Reads a {@code gpu: {vendor, model, count, nvswitch}} block into this node (the caller finishes it). */
    public void gpu(io.waveline.plan.YamlMapping gpu) {
        gpu.string("vendor").ifPresent(v -> gpuVendor(v, gpu.positionOf("vendor"), gpu.child("vendor")));
        gpu.string("model").ifPresent(v -> gpuModel(v, gpu.positionOf("model"), gpu.child("model")));
        gpu.string("count").ifPresent(v -> gpuCount(v, gpu.positionOf("count"), gpu.child("count")));
        gpu.string("nvswitch").ifPresent(v -> nvswitch(v, gpu.positionOf("nvswitch"), gpu.child("nvswitch")));
    }

    public FleetNode build(String source) {
        return new FleetNode(name, address == null ? name : address, port, user, Map.copyOf(labels), gpuVendor,
                gpuModel, gpuCount, nvswitch, Map.copyOf(versions), available, source);
    }

    private int integer(String value, int min, int max, SourcePosition at, String path, int fallback) {
        try {
            int number = Integer.parseInt(value.trim());
            if (number >= min && number <= max) {
                return number;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.error(at, path, "\"" + value + "\" is not a whole number from " + min + " to " + max);
        return fallback;
    }

    private boolean bool(String value, SourcePosition at, String path, boolean fallback) {
        switch (value.trim().toLowerCase()) {
            case "true":
            case "yes":
                return true;
            case "false":
            case "no":
                return false;
            default:
                problems.error(at, path, "\"" + value + "\" must be true or false");
                return fallback;
        }
    }
}
