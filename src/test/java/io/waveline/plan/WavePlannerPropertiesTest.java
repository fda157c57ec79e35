package io.waveline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

/**
 * Properties that must hold for any fleet and plan, checked over a few hundred generated ones: every node to
 * upgrade is in exactly one wave, the order does not depend on the inventory's order, and at no moment of the
 * preview's schedule is a limit exceeded.
 */
class WavePlannerPropertiesTest {

    static final Instant START = Instant.parse("2026-11-25T12:00:00Z");

    record Case(List<NodeFacts> fleet, RolloutPlan plan, String text) {
    }

    static Case generate(long seed) {
        Random random = new Random(seed);
        List<NodeFacts> fleet = new ArrayList<>();
        int racks = 1 + random.nextInt(6);
        for (int r = 1; r <= racks; r++) {
            int perRack = 1 + random.nextInt(8);
            for (int i = 1; i <= perRack; i++) {
                String driver = random.nextInt(5) == 0 ? Fleets.NEW : Fleets.OLD;
                String model = random.nextBoolean() ? "H100-SXM5-80GB" : "A100-SXM4-80GB";
                fleet.add(new NodeFacts("gpu-r" + r + "-" + i, Map.of("pool", "gpu", "rack", "r" + r), "nvidia",
                        model, 8, true, Map.of("nvidia-driver", driver, "nvidia-fabricmanager", driver),
                        random.nextInt(12) != 0));
            }
        }
        String firstWave = List.of("1", "coverage", "\"5%\"", "2").get(random.nextInt(4));
        String maxUnavailable = random.nextBoolean() ? Integer.toString(2 + random.nextInt(4)) : (20 + random.nextInt(30)) + "%";
        String rackLimit = random.nextBoolean() ? ""
                : "  failureDomains:\n    - labelKey: rack\n      maxUnavailable: " + (1 + random.nextInt(3)) + "\n";
        String maxParallel = random.nextBoolean() ? "" : "    maxParallel: " + (1 + random.nextInt(4)) + "\n";
        String text = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: generated
                spec:
                  target:
                    selector: "pool=gpu"
                    components:
                      nvidia-driver: "570.133.20"
                      nvidia-fabricmanager: "570.133.20"
                  waves:
                    - name: first
                      size: %s
                      soak: 10m
                    - name: second
                      size: "30%%"
                    - name: last
                      size: rest
                %s  limits:
                    maxUnavailable: %s
                %s""".formatted(firstWave, maxParallel.indent(2), maxUnavailable, rackLimit.indent(2));
        PlanParseResult parsed = PlanParser.parse("generated.yaml", text);
        assertThat(parsed.errors()).as(text).isEmpty();
        return new Case(fleet, parsed.plan().orElseThrow(), text);
    }

    @Test
    void everyNodeToUpgradeIsInExactlyOneWave() {
        for (long seed = 1; seed <= 300; seed++) {
            Case c = generate(seed);
            WavePlan plan = WavePlanner.plan("generated.yaml", c.plan(), c.fleet());
            if (!plan.errors().isEmpty()) {
                assertThat(plan.errors()).allSatisfy(e -> assertThat(e.message())
                        .containsAnyOf("is left with no nodes", "wants", "every selected node"));
                continue;
            }
            List<String> planned = plan.waves().stream().flatMap(w -> w.nodes().stream()).map(NodeFacts::name).toList();
            Set<String> skipped = plan.skipped().stream().map(WavePlan.SkippedNode::name).collect(Collectors.toSet());
            assertThat(planned).as("seed " + seed).doesNotHaveDuplicates();
            assertThat(planned).as("seed " + seed).noneMatch(skipped::contains);
            assertThat(planned.size() + skipped.size()).as("seed " + seed).isEqualTo(c.fleet().size());
            assertThat(plan.waves().stream().flatMap(w -> w.nodes().stream()))
                    .allMatch(NodeFacts::available).noneMatch(n -> n.versions().get("nvidia-driver").equals(Fleets.NEW));
        }
    }

    @Test
    void inventoryOrderNeverChangesThePlanOrItsPreview() {
        for (long seed = 1; seed <= 100; seed++) {
            Case c = generate(seed);
            List<NodeFacts> shuffled = new ArrayList<>(c.fleet());
            Collections.shuffle(shuffled, new Random(seed * 31));
            WavePlan a = WavePlanner.plan("g.yaml", c.plan(), c.fleet());
            WavePlan b = WavePlanner.plan("g.yaml", c.plan(), shuffled);
            assertThat(b.waves()).as("seed " + seed).isEqualTo(a.waves());
            if (a.errors().isEmpty()) {
                assertThat(PreviewEstimator.estimate("g.yaml", c.plan(), b, START).preview().waves())
                        .isEqualTo(PreviewEstimator.estimate("g.yaml", c.plan(), a, START).preview().waves());
            }
        }
    }

    @Test
    void noLimitIsExceededAtAnyMomentOfTheSchedule() {
        int checked = 0;
        for (long seed = 1; seed <= 300; seed++) {
            Case c = generate(seed);
            WavePlan plan = WavePlanner.plan("g.yaml", c.plan(), c.fleet());
            if (!plan.errors().isEmpty()) {
                continue;
            }
            PreviewEstimator.Result result = PreviewEstimator.estimate("g.yaml", c.plan(), plan, START);
            if (!result.errors().isEmpty()) {
                assertThat(result.errors()).allSatisfy(e -> assertThat(e.message()).startsWith("cannot start node"));
                continue;
            }
            checked++;
            Limits limits = c.plan().limits();
            List<NodeFacts> alreadyOut = plan.pool().stream().filter(n -> !n.available()).toList();
            int maxUnavailable = limits.maxUnavailable().resolve(plan.pool().size());
            Map<String, NodeFacts> byName = c.fleet().stream().collect(Collectors.toMap(NodeFacts::name, n -> n));
            for (Preview.WavePreview wave : result.preview().waves()) {
                int maxParallel = c.plan().waves().stream().filter(w -> w.name().equals(wave.name())).findFirst()
                        .orElseThrow().maxParallel().orElse(Integer.MAX_VALUE);
                assertThat(wave.schedule()).extracting(Preview.NodeSlot::node)
                        .containsExactlyInAnyOrderElementsOf(wave.nodes());
                for (Preview.NodeSlot slot : wave.schedule()) {
                    Instant t = slot.start();
                    List<NodeFacts> running = wave.schedule().stream()
                            .filter(s -> !s.start().isAfter(t) && s.end().isAfter(t)).map(s -> byName.get(s.node())).toList();
                    String why = "seed " + seed + " wave " + wave.name() + " at " + t + "\n" + c.text();
                    assertThat(running.size()).as(why).isLessThanOrEqualTo(maxParallel);
                    assertThat(running.size() + alreadyOut.size()).as(why).isLessThanOrEqualTo(maxUnavailable);
                    for (FailureDomainLimit domain : limits.failureDomains()) {
                        String rack = byName.get(slot.node()).label(domain.labelKey());
                        long inRack = running.stream().filter(n -> n.label(domain.labelKey()).equals(rack)).count()
                                + alreadyOut.stream().filter(n -> n.label(domain.labelKey()).equals(rack)).count();
                        assertThat(inRack).as(why).isLessThanOrEqualTo(domain.maxUnavailable());
                    }
                }
            }
        }
        assertThat(checked).as("enough generated cases had a runnable preview").isGreaterThan(100);
    }
}
