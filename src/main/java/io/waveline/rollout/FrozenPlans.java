package io.waveline.rollout;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.waveline.plan.PlanParser;
import io.waveline.plan.RolloutPlan;
import jakarta.enterprise.context.ApplicationScoped;

/** The plans frozen in rollouts, parsed once per text hash. A frozen plan was valid when it started. */
@ApplicationScoped
public class FrozenPlans {

    private final Map<String, RolloutPlan> bySha = new ConcurrentHashMap<>();

    public RolloutPlan of(Rollout rollout) {
        return bySha.computeIfAbsent(rollout.planSha256, sha -> PlanParser.parse(rollout.planName + ".yaml",
                rollout.planText).plan().orElseThrow(() -> new IllegalStateException("rollout " + rollout.id
                        + " holds a plan that no longer parses")));
    }
}
