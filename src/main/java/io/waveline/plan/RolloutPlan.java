package io.waveline.plan;

import java.util.List;

/**
 * A validated rollout plan: what a {@code rollout-plans/*.yaml} file says, with defaults filled in.
 * {@code twoPersonApproval}: a wave may not be approved by the person who started the rollout; {@code waveChecks}: what
 * runs on a whole wave after it and at the end of its soak.
 */
public record RolloutPlan(String name, String description, Target target, MethodSpec method, List<WaveSpec> waves,
        Limits limits, DrainSettings drain, List<CheckSpec> checks, FailurePolicy failurePolicy,
        Estimates estimates, boolean twoPersonApproval, WaveChecks waveChecks) {

    public static final String API_VERSION = "waveline/v1";
    public static final String KIND = "RolloutPlan";
}
