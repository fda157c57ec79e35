package io.waveline.plan;

import static io.waveline.plan.Fleets.NEW;
import static io.waveline.plan.Fleets.OLD;
import static io.waveline.plan.Fleets.h100;
import static io.waveline.plan.Fleets.node;
import static io.waveline.plan.Fleets.plan;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import io.waveline.plan.WavePlan.PlannedWave;
import io.waveline.plan.WavePlan.Reason;

class WavePlannerTest {

    static final RolloutPlan CANARY_TEN_PERCENT_REST = plan("""
            waves:
              - name: canary
                size: 1
              - name: staged
                size: "10%"
              - name: fleet
                size: rest
            limits:
              failureDomains:
                - labelKey: rack
                  maxUnavailable: 1
            """);

    static List<String> names(PlannedWave wave) {
        return wave.nodes().stream().map(NodeFacts::name).toList();
    }

    static List<List<String>> waves(WavePlan plan) {
        return plan.waves().stream().map(WavePlannerTest::names).toList();
    }

    @Test
    void everySelectedNodeLandsInExactlyOneWaveInPlanOrder() {
        List<NodeFacts> fleet = h100(4, 5);
        WavePlan plan = WavePlanner.plan("p.yaml", CANARY_TEN_PERCENT_REST, fleet);
        assertThat(plan.errors()).isEmpty();
        assertThat(plan.waves()).extracting(w -> w.spec().name()).containsExactly("canary", "staged", "fleet");
        assertThat(plan.waves()).extracting(w -> w.nodes().size()).containsExactly(1, 2, 17);
        List<String> all = plan.waves().stream().flatMap(w -> names(w).stream()).toList();
        assertThat(all).hasSize(20).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(fleet.stream().map(NodeFacts::name).toList());
    }

    @Test
    void consecutiveNodesComeFromDifferentRacks() {
        WavePlan plan = WavePlanner.plan("p.yaml", CANARY_TEN_PERCENT_REST, h100(4, 5));
        List<NodeFacts> order = plan.waves().stream().flatMap(w -> w.nodes().stream()).toList();
        assertThat(order.subList(0, 4)).extracting(n -> n.label("rack")).containsExactly("r01", "r02", "r03", "r04");
        for (int i = 1; i < order.size(); i++) {
            assertThat(order.get(i).label("rack")).isNotEqualTo(order.get(i - 1).label("rack"));
        }
        assertThat(names(plan.waves().get(0))).containsExactly("gpu-01");
        assertThat(names(plan.waves().get(1))).containsExactly("gpu-06", "gpu-11");
    }

    @Test
    void sameInputGivesTheSameWavesWhateverTheInventoryOrder() {
        List<NodeFacts> fleet = h100(3, 7);
        WavePlan first = WavePlanner.plan("p.yaml", CANARY_TEN_PERCENT_REST, fleet);
        for (long seed = 1; seed <= 5; seed++) {
            List<NodeFacts> shuffled = new ArrayList<>(fleet);
            Collections.shuffle(shuffled, new Random(seed));
            assertThat(waves(WavePlanner.plan("p.yaml", CANARY_TEN_PERCENT_REST, shuffled))).isEqualTo(waves(first));
        }
    }

    @Test
    void addingUnrelatedNodesChangesNothing() {
        List<NodeFacts> fleet = h100(3, 4);
        WavePlan before = WavePlanner.plan("p.yaml", CANARY_TEN_PERCENT_REST, fleet);
        List<NodeFacts> grown = new ArrayList<>(fleet);
        grown.add(node("gpu-a100-01", "a100", "r01", "A100-SXM4-80GB", OLD, true));
        grown.add(0, node("gpu-a100-02", "a100", "r02", "A100-SXM4-80GB", OLD, true));
        assertThat(waves(WavePlanner.plan("p.yaml", CANARY_TEN_PERCENT_REST, grown))).isEqualTo(waves(before));
    }

    @Test
    void nodesAtTargetExcludedOrOutOfServiceAreSkippedWithTheReason() {
        List<NodeFacts> fleet = new ArrayList<>(h100(2, 3));
        fleet.set(0, node("gpu-01", "h100", "r01", "H100-SXM5-80GB", NEW, true));
        fleet.set(1, node("gpu-02", "h100", "r01", "H100-SXM5-80GB", OLD, false));
        RolloutPlan plan = plan("""
                selector: "pool=h100"
                exclude:
                  nodes: [gpu-03]
                components:
                  nvidia-driver: "570.133.20"
                  nvidia-fabricmanager: "570.133.20"
                """, """
                waves:
                  - name: all
                    size: rest
                """);
        WavePlan result = WavePlanner.plan("p.yaml", plan, fleet);
        assertThat(result.errors()).isEmpty();
        assertThat(result.skipped()).extracting(WavePlan.SkippedNode::name, WavePlan.SkippedNode::reason)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("gpu-01", Reason.ALREADY_AT_TARGET),
                        org.assertj.core.groups.Tuple.tuple("gpu-02", Reason.UNAVAILABLE),
                        org.assertj.core.groups.Tuple.tuple("gpu-03", Reason.EXCLUDED));
        assertThat(names(result.waves().get(0))).containsExactly("gpu-04", "gpu-05", "gpu-06");
        assertThat(result.pool()).hasSize(6);
    }

    @Test
    void coverageCanaryTakesOneNodeOfEveryModelAndVersionClass() {
        List<NodeFacts> fleet = new ArrayList<>(h100(2, 3));
        fleet.add(node("gpu-a100-01", "h100", "r03", "A100-SXM4-80GB", "535.216.01", true));
        fleet.add(node("gpu-a100-02", "h100", "r03", "A100-SXM4-80GB", "535.216.01", true));
        fleet.add(node("gpu-a100-03", "h100", "r04", "A100-SXM4-80GB", OLD, true));
        RolloutPlan plan = plan("""
                waves:
                  - name: canary
                    size: coverage
                  - name: rest
                    size: rest
                """);
        WavePlan result = WavePlanner.plan("p.yaml", plan, fleet);
        assertThat(names(result.waves().get(0))).containsExactly("gpu-01", "gpu-a100-01", "gpu-a100-03");
        assertThat(result.waves().get(1).nodes()).hasSize(6);
    }

    @Test
    void selectorMatchingNoNodeIsAnErrorAtTheSelectorLine() {
        RolloutPlan plan = plan("""
                waves:
                  - name: all
                    size: rest
                """);
        WavePlan result = WavePlanner.plan("p.yaml", plan, List.of(node("gpu-x", "a100", "r01", "A100", OLD, true)));
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(7);
            assertThat(e.path()).isEqualTo("spec.target.selector");
            assertThat(e.message()).isEqualTo("selects no node of the fleet (1 nodes): no node has labels matching \"pool=h100\"");
        });
    }

    @Test
    void waveWithNothingLeftIsAnError() {
        RolloutPlan plan = plan("""
                waves:
                  - name: most
                    size: "100%"
                  - name: rest
                    size: rest
                """);
        WavePlan result = WavePlanner.plan("p.yaml", plan, h100(1, 4));
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("spec.waves[1].size");
            assertThat(e.line()).isEqualTo(14);
            assertThat(e.message()).startsWith("is left with no nodes");
        });
    }

    @Test
    void countLargerThanWhatIsLeftIsAnError() {
        RolloutPlan plan = plan("""
                waves:
                  - name: canary
                    size: 5
                """);
        WavePlan result = WavePlanner.plan("p.yaml", plan, h100(1, 3));
        assertThat(result.errors()).singleElement().satisfies(e -> assertThat(e.message())
                .isEqualTo("wants 5 nodes but only 3 of 3 are left after the waves before it"));
    }

    @Test
    void nodesInNoWaveAreAnError() {
        RolloutPlan plan = plan("""
                waves:
                  - name: canary
                    size: 1
                """);
        WavePlan result = WavePlanner.plan("p.yaml", plan, h100(1, 3));
        assertThat(result.errors()).singleElement().satisfies(e -> assertThat(e.message())
                .isEqualTo("2 of 3 nodes are in no wave (gpu-02, gpu-03); end the plan with a wave of size: rest"));
    }

    @Test
    void driverWithoutFabricManagerIsRefusedOnNvswitchNodes() {
        RolloutPlan plan = plan("""
                selector: "pool=h100"
                components:
                  nvidia-driver: "570.133.20"
                """, """
                waves:
                  - name: all
                    size: rest
                """);
        WavePlan result = WavePlanner.plan("p.yaml", plan, h100(1, 2));
        assertThat(result.errors()).singleElement().satisfies(e -> assertThat(e.message())
                .contains("without nvidia-fabricmanager, but 2 selected nodes have NVSwitches (gpu-01, gpu-02)")
                .endsWith("add nvidia-fabricmanager: \"570.133.20\""));
        NodeFacts pcie = new NodeFacts("gpu-l40s", java.util.Map.of("pool", "h100"), "nvidia", "L40S", 4, false,
                java.util.Map.of("nvidia-driver", OLD), true);
        assertThat(WavePlanner.plan("p.yaml", plan, List.of(pcie)).errors()).isEmpty();
    }

    @Test
    void namedNodesMissingFromTheInventoryAreNamed() {
        RolloutPlan plan = plan("""
                nodes: [gpu-01, gpu-99]
                components:
                  nvidia-driver: "570.133.20"
                  nvidia-fabricmanager: "570.133.20"
                """, """
                waves:
                  - name: all
                    size: rest
                """);
        WavePlan result = WavePlanner.plan("p.yaml", plan, h100(1, 2));
        assertThat(result.errors()).singleElement().satisfies(e -> assertThat(e.message())
                .startsWith("names nodes the inventory does not have: gpu-99"));
        assertThat(names(result.waves().get(0))).containsExactly("gpu-01");
    }
}
