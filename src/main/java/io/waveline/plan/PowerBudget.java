package io.waveline.plan;

import java.util.Collection;
import java.util.Map;
import java.util.Optional;

/**
 * How much power the heavy checks (DCGM level 3 and 4, NCCL) may draw per rack. A node under burn-in draws about
 * its full power ({@code nodeDrawKw}, or by GPU model from {@code nodeDrawKwByModel}, e.g. 10 kW for an 8×H100
 * node); the nodes of one rack (the {@code rackLabel}) under burn-in at once must stay within
 * {@code rackBudgetKw}, so validation never trips a rack. A node that alone draws more than the budget runs alone.
 * Pure.
 */
public record PowerBudget(String rackLabel, double rackBudgetKw, double nodeDrawKw, Map<String, Double> nodeDrawKwByModel) {

    public static final String DEFAULT_RACK_LABEL = "rack";
    public static final double DEFAULT_NODE_DRAW_KW = 10;

    public PowerBudget {
        nodeDrawKwByModel = Map.copyOf(nodeDrawKwByModel);
    }

    public double drawOf(NodeFacts node) {
        return nodeDrawKwByModel.getOrDefault(node.gpuModel(), nodeDrawKw);
    }

    public String rackOf(NodeFacts node) {
        return node.label(rackLabel);
    }

    /**
     * Empty when {@code candidate} may start its burn-in while {@code burning} are under burn-in; otherwise why not,
     * in words.
     */
    public Optional<String> blocker(NodeFacts candidate, Collection<NodeFacts> burning) {
        String rack = rackOf(candidate);
        double drawn = burning.stream().filter(n -> rack.equals(rackOf(n))).mapToDouble(this::drawOf).sum();
        if (drawn == 0 || drawn + drawOf(candidate) <= rackBudgetKw + 1e-9) {
            return Optional.empty();
        }
        return Optional.of(rackLabel + "=" + rack + " draws " + format(drawn) + " kW under burn-in; "
                + format(drawOf(candidate)) + " kW more would pass its budget of " + format(rackBudgetKw) + " kW");
    }

    static String format(double kw) {
        return kw == Math.rint(kw) ? Long.toString((long) kw) : Double.toString(kw);
    }
}
