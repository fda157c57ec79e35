package io.waveline.plan;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Small fleets for planner and estimator tests. */
final class Fleets {

    static final String OLD = "550.127.05";
    static final String NEW = "570.133.20";

    private Fleets() {
    }

    static NodeFacts node(String name, String pool, String rack, String model, String driver, boolean available) {
        Map<String, String> labels = new HashMap<>(Map.of("pool", pool, "rack", rack));
        return new NodeFacts(name, Map.copyOf(labels), "nvidia", model, 8, true,
                Map.of("nvidia-driver", driver, "nvidia-fabricmanager", driver), available);
    }

    /** {@code racks} racks of {@code perRack} H100 nodes on the old driver, named gpu-01.. rack by rack. */
    static List<NodeFacts> h100(int racks, int perRack) {
        List<NodeFacts> nodes = new ArrayList<>();
        int n = 1;
        for (int r = 1; r <= racks; r++) {
            for (int i = 0; i < perRack; i++) {
                nodes.add(node(String.format("gpu-%02d", n++), "h100", "r0" + r, "H100-SXM5-80GB", OLD, true));
            }
        }
        return nodes;
    }

    static final String H100_BUNDLE = """
            selector: "pool=h100"
            components:
              nvidia-driver: "570.133.20"
              nvidia-fabricmanager: "570.133.20"
            """;

    static RolloutPlan plan(String spec) {
        return plan(H100_BUNDLE, spec);
    }

    /** A valid plan named test with the given {@code spec.target} block and the rest of the spec. */
    static RolloutPlan plan(String target, String spec) {
        String text = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: test
                spec:
                  target:
                """ + target.indent(4) + spec.indent(2);
        PlanParseResult result = PlanParser.parse("test.yaml", text);
        if (!result.valid()) {
            throw new AssertionError(result.errors().toString());
        }
        return result.plan().orElseThrow();
    }
}
