package io.waveline.plan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.waveline.plan.WavePlan.PlannedWave;
import io.waveline.plan.WavePlan.Reason;
import io.waveline.plan.WavePlan.SkippedNode;

/**
 * Puts a plan's nodes into its waves. Pure: same fleet and plan, same answer.
 *
 * <p>The algorithm: select the pool (selector matches plus named nodes); take out excluded nodes, nodes whose
 * every bundle component is already at the target version, and nodes out of service now (they stay in the pool,
 * where they count against the limits); order the rest so that consecutive nodes come from
 * different failure domains (the first {@code limits.failureDomains} label, else {@code rack}): node k of every
 * domain comes before node k+1 of any, names in natural order inside a domain. Waves then take nodes from the front
 * of that order, in plan order: a count, a share of all nodes to upgrade (rounded up), one node of every
 * hardware/software class ({@code coverage}), or every node left ({@code rest}). Nodes outside the selection never
 * influence the order, so adding unrelated nodes to the fleet changes nothing.
 */
public final class WavePlanner {

    private static final String DEFAULT_SPREAD_LABEL = "rack";
    private static final int NAMES_IN_MESSAGES = 5;

    private WavePlanner() {
    }

    public static WavePlan plan(String file, RolloutPlan plan, List<NodeFacts> fleet) {
        Problems problems = new Problems(file);
        Target target = plan.target();
        Map<String, NodeFacts> byName = new LinkedHashMap<>();
        fleet.forEach(node -> byName.put(node.name(), node));

        Map<String, NodeFacts> pool = new LinkedHashMap<>();
        target.selector().ifPresent(selector -> fleet.stream().filter(n -> selector.matches(n.labels()))
                .forEach(n -> pool.put(n.name(), n)));
        List<String> unknown = new ArrayList<>();
        for (String name : target.nodes()) {
            NodeFacts node = byName.get(name);
            if (node == null) {
                unknown.add(name);
            } else {
                pool.put(name, node);
            }
        }
        if (!unknown.isEmpty()) {
            problems.error(target.position(), "spec.target.nodes", "names nodes the inventory does not have: "
                    + names(unknown) + "; check GET /api/v1/nodes");
        }
        if (pool.isEmpty() && unknown.isEmpty()) {
            problems.error(target.position(), "spec.target.selector", "selects no node of the fleet ("
                    + fleet.size() + " nodes)" + target.selector().map(s -> ": no node has labels matching \"" + s + "\"").orElse(""));
        }

        List<SkippedNode> skipped = new ArrayList<>();
        List<NodeFacts> candidates = new ArrayList<>();
        for (NodeFacts node : pool.values()) {
            Optional<String> exclusion = exclusion(target, node);
            if (exclusion.isPresent()) {
                skipped.add(new SkippedNode(node.name(), Reason.EXCLUDED, exclusion.get()));
            } else if (atTarget(target, node)) {
                skipped.add(new SkippedNode(node.name(), Reason.ALREADY_AT_TARGET, "already at "
                        + target.components().stream().map(c -> c.component() + " " + c.version())
                                .collect(Collectors.joining(", "))));
            } else if (!node.available()) {
                skipped.add(new SkippedNode(node.name(), Reason.UNAVAILABLE, "out of service now; it is not "
                        + "upgraded and counts against maxUnavailable and its failure domain"));
            } else {
                candidates.add(node);
            }
        }
        if (!pool.isEmpty() && candidates.isEmpty()) {
            problems.warning(target.position(), "spec.target", "every selected node is excluded or already at the "
                    + "target versions; there is nothing to upgrade");
        }
        checkFabricManager(target, candidates, problems);

        List<NodeFacts> ordered = spreadOrder(candidates, spreadLabel(plan));
        List<PlannedWave> waves = assign(plan, ordered, problems);
        return new WavePlan(waves, List.copyOf(skipped), List.copyOf(pool.values()), problems.errors(),
                problems.warnings());
    }

    private static List<PlannedWave> assign(RolloutPlan plan, List<NodeFacts> ordered, Problems problems) {
        List<NodeFacts> remaining = new ArrayList<>(ordered);
        int total = ordered.size();
        List<PlannedWave> waves = new ArrayList<>();
        for (WaveSpec wave : plan.waves()) {
            List<NodeFacts> taken;
            WaveSize size = wave.size();
            if (size instanceof WaveSize.Count count) {
                if (total > 0 && count.nodes() > remaining.size()) {
                    problems.error(wave.position(), wave.path() + ".size", "wants " + count.nodes()
                            + " nodes but only " + remaining.size() + " of " + total + " are left after the waves before it");
                }
                taken = new ArrayList<>(remaining.subList(0, Math.min(count.nodes(), remaining.size())));
            } else if (size instanceof WaveSize.Percent percent) {
                int wanted = Quantity.percentage(percent.percent()).resolve(total);
                taken = new ArrayList<>(remaining.subList(0, Math.min(wanted, remaining.size())));
            } else if (size instanceof WaveSize.Coverage) {
                taken = coverage(remaining, plan.target());
            } else {
                taken = new ArrayList<>(remaining);
            }
            if (taken.isEmpty() && total > 0) {
                problems.error(wave.position(), wave.path() + ".size", "is left with no nodes: the waves before it ("
                        + "size " + size + ") already take all " + total + " nodes to upgrade; remove this wave or make earlier ones smaller");
            }
            // By identity, in one pass: removeAll on lists compares every node with every taken one (quadratic).
            Set<NodeFacts> gone = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            gone.addAll(taken);
            remaining.removeIf(gone::contains);
            waves.add(new PlannedWave(wave, List.copyOf(taken)));
        }
        if (!remaining.isEmpty() && !plan.waves().isEmpty()) {
            WaveSpec last = plan.waves().get(plan.waves().size() - 1);
            problems.error(last.position(), "spec.waves", remaining.size() + " of " + total
                    + " nodes are in no wave (" + names(remaining.stream().map(NodeFacts::name).toList())
                    + "); end the plan with a wave of size: rest");
        }
        return List.copyOf(waves);
    }

    /** One node per class (vendor, model and current versions of the bundle), the first of each in spread order. */
    private static List<NodeFacts> coverage(List<NodeFacts> remaining, Target target) {
        Map<String, NodeFacts> firstOfClass = new LinkedHashMap<>();
        for (NodeFacts node : remaining) {
            firstOfClass.putIfAbsent(hardwareSoftwareClass(node, target), node);
        }
        return new ArrayList<>(firstOfClass.values());
    }

    public static String hardwareSoftwareClass(NodeFacts node, Target target) {
        StringBuilder key = new StringBuilder(node.gpuVendor() + " " + node.gpuModel() + " x" + node.gpuCount());
        for (ComponentTarget component : target.components()) {
            key.append(' ').append(component.component()).append('=')
                    .append(node.versions().getOrDefault(component.component(), "none"));
        }
        return key.toString();
    }

    /**
     * Node k of every domain before node k+1 of any; inside one k, domains in natural order. Built level by level from
     * the domains' own sorted lists (natural order never ties two different labels, so each level is in domain order):
     * one sort per domain and one of the domains, not a sort of thousands of nodes by three keys.
     */
    private static List<NodeFacts> spreadOrder(List<NodeFacts> nodes, String label) {
        Map<String, List<NodeFacts>> byDomain = new HashMap<>();
        for (NodeFacts node : nodes) {
            byDomain.computeIfAbsent(node.label(label), k -> new ArrayList<>()).add(node);
        }
        List<String> domains = new ArrayList<>(byDomain.keySet());
        domains.sort(NaturalOrder.INSTANCE);
        List<List<NodeFacts>> lists = new ArrayList<>(domains.size());
        int deepest = 0;
        for (String domain : domains) {
            List<NodeFacts> members = byDomain.get(domain);
            members.sort(Comparator.comparing(NodeFacts::name, NaturalOrder.INSTANCE));
            lists.add(members);
            deepest = Math.max(deepest, members.size());
        }
        List<NodeFacts> ordered = new ArrayList<>(nodes.size());
        for (int rank = 0; rank < deepest; rank++) {
            for (List<NodeFacts> members : lists) {
                if (rank < members.size()) {
                    ordered.add(members.get(rank));
                }
            }
        }
        return ordered;
    }

    public static String spreadLabel(RolloutPlan plan) {
        return plan.limits().failureDomains().isEmpty() ? DEFAULT_SPREAD_LABEL
                : plan.limits().failureDomains().get(0).labelKey();
    }

    private static Optional<String> exclusion(Target target, NodeFacts node) {
        if (target.excludeNodes().contains(node.name())) {
            return Optional.of("named in spec.target.exclude.nodes");
        }
        return target.excludeSelector().filter(s -> s.matches(node.labels()))
                .map(s -> "matches spec.target.exclude.selector \"" + s + "\"");
    }

    private static boolean atTarget(Target target, NodeFacts node) {
        return !target.components().isEmpty() && target.components().stream()
                .allMatch(c -> c.version().equals(node.versions().get(c.component())));
    }

    private static void checkFabricManager(Target target, List<NodeFacts> candidates, Problems problems) {
        Optional<String> driver = target.versionOf(Components.DRIVER);
        Optional<String> fabricManager = target.versionOf(Components.FABRIC_MANAGER);
        List<String> nvswitchNodes = candidates.stream()
                .filter(n -> n.nvswitch() || n.versions().containsKey(Components.FABRIC_MANAGER))
                .map(NodeFacts::name).toList();
        if (driver.isPresent() && fabricManager.isEmpty() && !nvswitchNodes.isEmpty()) {
            problems.error(target.position(), "spec.target.components", "moves nvidia-driver to " + driver.get()
                    + " without nvidia-fabricmanager, but " + nvswitchNodes.size() + " selected nodes have NVSwitches ("
                    + names(nvswitchNodes) + ") where Fabric Manager must match the driver exactly; add nvidia-fabricmanager: \""
                    + driver.get() + "\"");
        }
        if (fabricManager.isPresent() && driver.isEmpty()) {
            Set<String> mismatched = new LinkedHashSet<>();
            for (NodeFacts node : candidates) {
                if (!fabricManager.get().equals(node.versions().get(Components.DRIVER))) {
                    mismatched.add(node.name());
                }
            }
            if (!mismatched.isEmpty()) {
                problems.error(target.position(), "spec.target.components", "moves nvidia-fabricmanager to "
                        + fabricManager.get() + " but " + mismatched.size() + " nodes run another nvidia-driver ("
                        + names(List.copyOf(mismatched)) + "); add nvidia-driver: \"" + fabricManager.get() + "\"");
            }
        }
    }

    static String names(List<String> names) {
        List<String> shown = names.stream().limit(NAMES_IN_MESSAGES).toList();
        String more = names.size() > NAMES_IN_MESSAGES ? " and " + (names.size() - NAMES_IN_MESSAGES) + " more" : "";
        return String.join(", ", shown) + more;
    }
}
