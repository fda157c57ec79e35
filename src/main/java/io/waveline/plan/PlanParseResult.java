package io.waveline.plan;

import java.util.List;
import java.util.Optional;

/** A plan read from text: the plan when it is valid, otherwise every error found; never half a plan. */
public record PlanParseResult(String file, Optional<RolloutPlan> plan, List<PlanError> errors,
        List<PlanError> warnings, String sha256) {

    public boolean valid() {
        return plan.isPresent();
    }
}
