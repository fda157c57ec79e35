package io.waveline.plan;

import static io.waveline.plan.Fleets.OLD;
import static io.waveline.plan.Fleets.h100;
import static io.waveline.plan.Fleets.node;
import static io.waveline.plan.Fleets.plan;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class PreviewEstimatorTest {

    /** A Wednesday, 12:00 UTC. */
    static final Instant NOON = Instant.parse("2026-11-25T12:00:00Z");

    static final String ONE_HOUR_PER_NODE = """
            estimates:
              drain: 15m
              upgrade: 15m
              reboot: 15m
              validation: 15m
              gpuHourUsd: 2.00
            """;

    static PreviewEstimator.Result estimate(RolloutPlan plan, List<NodeFacts> fleet, Instant start) {
        WavePlan wavePlan = WavePlanner.plan("p.yaml", plan, fleet);
        assertThat(wavePlan.errors()).isEmpty();
        return PreviewEstimator.estimate("p.yaml", plan, wavePlan, start);
    }

    @Test
    void nodesFlowInASlidingWindowNotInLockStepBatches() {
        List<NodeFacts> fleet = new ArrayList<>(h100(1, 3));
        // a shorter rack-mate is not possible per node, so show the window with maxParallel 2 over 3 nodes:
        RolloutPlan plan = plan("""
                waves:
                  - name: all
                    size: rest
                    maxParallel: 2
                limits:
                  maxUnavailable: 10
                """ + ONE_HOUR_PER_NODE);
        Preview preview = estimate(plan, fleet, NOON).preview();
        assertThat(preview.estimatedDuration()).isEqualTo(Duration.ofHours(2));
        assertThat(preview.peakNodesOut()).isEqualTo(2);
        assertThat(preview.waves().get(0).peakNodesOut()).isEqualTo(2);
    }

    @Test
    void failureDomainLimitSerializesARackButLetsRacksRunSideBySide() {
        RolloutPlan plan = plan("""
                waves:
                  - name: all
                    size: rest
                limits:
                  maxUnavailable: 10
                  failureDomains:
                    - labelKey: rack
                      maxUnavailable: 1
                """ + ONE_HOUR_PER_NODE);
        Preview preview = estimate(plan, h100(3, 2), NOON).preview();
        assertThat(preview.estimatedDuration()).isEqualTo(Duration.ofHours(2));
        assertThat(preview.peakNodesOut()).isEqualTo(3);
    }

    @Test
    void maxUnavailableCountsNodesAlreadyOutOfService() {
        List<NodeFacts> fleet = new ArrayList<>(h100(1, 4));
        fleet.set(3, node("gpu-04", "h100", "r01", "H100-SXM5-80GB", OLD, false));
        RolloutPlan plan = plan("""
                waves:
                  - name: all
                    size: rest
                limits:
                  maxUnavailable: 2
                """ + ONE_HOUR_PER_NODE);
        Preview preview = estimate(plan, fleet, NOON).preview();
        assertThat(preview.nodesToUpgrade()).isEqualTo(3);
        assertThat(preview.estimatedDuration()).as("one at a time: the down node holds the other slot")
                .isEqualTo(Duration.ofHours(3));
        assertThat(preview.peakNodesOut()).isEqualTo(2);
        assertThat(preview.minGpusInServicePercent()).isEqualTo(50.0);
        assertThat(preview.notes()).anyMatch(n -> n.contains("1 node(s) of the pool are out of service already"));
    }

    @Test
    void limitUsedUpByDownNodesIsReportedInsteadOfWaitingForever() {
        List<NodeFacts> fleet = new ArrayList<>(h100(1, 3));
        fleet.set(2, node("gpu-03", "h100", "r01", "H100-SXM5-80GB", OLD, false));
        RolloutPlan plan = plan("""
                waves:
                  - name: all
                    size: rest
                limits:
                  maxUnavailable: 1
                """);
        PreviewEstimator.Result result = estimate(plan, fleet, NOON);
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("spec.waves[0]");
            assertThat(e.message()).isEqualTo("cannot start node gpu-01: maxUnavailable 1 (1 nodes) is used up by 1 "
                    + "node(s) already out of service (gpu-03); raise spec.limits.maxUnavailable or bring them back");
        });
    }

    @Test
    void soakSeparatesWavesAndGpuHoursAreCosted() {
        RolloutPlan plan = plan("""
                waves:
                  - name: canary
                    size: 1
                    soak: 30m
                    approval: required
                  - name: rest
                    size: rest
                limits:
                  maxUnavailable: 1
                """ + ONE_HOUR_PER_NODE);
        Preview preview = estimate(plan, h100(1, 3), NOON).preview();
        assertThat(preview.waves().get(0).end()).isEqualTo(NOON.plus(Duration.ofHours(1)));
        assertThat(preview.waves().get(1).start()).isEqualTo(NOON.plus(Duration.ofMinutes(90)));
        assertThat(preview.estimatedDuration()).isEqualTo(Duration.ofMinutes(210));
        assertThat(preview.gpuHoursOutOfService()).isEqualTo(24.0);
        assertThat(preview.costUsd()).isEqualByComparingTo("48.00");
        assertThat(preview.approvalGates()).isEqualTo(1);
        assertThat(preview.minGpusInServicePercent()).isEqualTo(66.67);
    }

    @Test
    void nodesOnlyStartInsideMaintenanceWindows() {
        RolloutPlan plan = plan("""
                waves:
                  - name: all
                    size: rest
                limits:
                  maxUnavailable: 1
                  maintenanceWindows:
                    - days: [wed]
                      start: "22:00"
                      end: "23:30"
                      timeZone: UTC
                """ + ONE_HOUR_PER_NODE);
        Preview preview = estimate(plan, h100(1, 3), NOON).preview();
        // Wed 22:00 and 23:00 start inside the window (22:00-23:30); the third waits for next Wednesday 22:00.
        assertThat(preview.waves().get(0).end()).isEqualTo(Instant.parse("2026-12-02T23:00:00Z"));
    }
}
