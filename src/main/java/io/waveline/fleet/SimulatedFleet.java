package io.waveline.fleet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The demo's fleet, the same every time: 16 H100 nodes in four racks, 8 A100 nodes on mixed driver versions, 6
 * L40S nodes without NVSwitch (two already on 570, one out of service) and 4 AMD MI300X nodes. Enough variety for every example
 * plan in {@code rollout-plans/}: a pool canary, a coverage canary over mixed classes, a Fabric Manager bundle.
 */
public final class SimulatedFleet implements InventorySource {

    public static final String OLD_DRIVER = "550.127.05";
    public static final String A100_DRIVER = "535.216.01";
    public static final String NEW_DRIVER = "570.133.20";

    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public List<FleetNode> load() {
        List<FleetNode> nodes = new ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            String rack = "r0" + ((i - 1) / 4 + 1);
            nodes.add(nvidia(String.format("gpu-h100-%02d", i), "h100", rack, i % 2 == 0 ? "b" : "a",
                    "H100-SXM5-80GB", 8, true, OLD_DRIVER, true));
        }
        for (int i = 1; i <= 8; i++) {
            String rack = "r0" + ((i - 1) / 4 + 5);
            nodes.add(nvidia(String.format("gpu-a100-%02d", i), "a100", rack, "a", "A100-SXM4-80GB", 8, true,
                    i <= 6 ? A100_DRIVER : OLD_DRIVER, true));
        }
        for (int i = 1; i <= 6; i++) {
            nodes.add(nvidia(String.format("gpu-l40s-%02d", i), "l40s", "r07", "b", "L40S", 4, false,
                    i <= 4 ? OLD_DRIVER : NEW_DRIVER, i != 3));
        }
        for (int i = 1; i <= 4; i++) {
            Map<String, String> labels = labels("mi300x", "r08", "a", "xgmi-" + ((i - 1) / 2 + 1));
            nodes.add(new FleetNode(String.format("gpu-mi300x-%02d", i), "127.0.0.1", 22, "waveline", labels, "amd",
                    "Instinct MI300X", 8, false, Map.of("amdgpu-driver", "6.7.0", "rocm", "6.2.0"), true, name()));
        }
        return List.copyOf(nodes);
    }

    private FleetNode nvidia(String name, String pool, String rack, String zone, String model, int gpus,
            boolean nvswitch, String driver, boolean available) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("nvidia-driver", driver);
        if (nvswitch) {
            versions.put("nvidia-fabricmanager", driver);
        }
        return new FleetNode(name, "127.0.0.1", 22, "waveline", labels(pool, rack, zone, "nvl-" + rack), "nvidia",
                model, gpus, nvswitch, Map.copyOf(versions), available, name());
    }

    private static Map<String, String> labels(String pool, String rack, String zone, String nvlinkDomain) {
        return Map.of("pool", pool, "rack", rack, "zone", zone, "nvlink-domain", nvlinkDomain,
                "power-feed", "pdu-" + rack);
    }
}
