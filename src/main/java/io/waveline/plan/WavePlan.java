package io.waveline.plan;

import java.util.List;

/**
 * The planner's answer: every selected node in exactly one wave, the nodes left out and why, the pool the
 * limits count against, and every problem that stops the plan from running on this fleet.
 */
public record WavePlan(List<PlannedWave> waves, List<SkippedNode> skipped, List<NodeFacts> pool,
        List<PlanError> errors, List<PlanError> warnings) {

    public boolean runnable() {
        return errors.isEmpty();
    }

    public record PlannedWave(WaveSpec spec, List<NodeFacts> nodes) {
    }

    public record SkippedNode(String name, Reason reason, String detail) {
    }

    public enum Reason {
        EXCLUDED, ALREADY_AT_TARGET, UNAVAILABLE
    }
}
