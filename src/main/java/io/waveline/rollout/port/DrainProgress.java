package io.waveline.rollout.port;

import java.util.List;
import java.util.Optional;

/**
 * Where a drain stands after one step: done, or the pods still on the node and which PodDisruptionBudgets refused
 * their eviction, or why it failed (timed out without {@code force}, an emptyDir pod that may not go). {@code forced}:
 * the timeout passed and the plan's {@code force} deleted the remaining pods.
 */
public record DrainProgress(boolean done, List<String> podsLeft, List<String> blockedBy, Optional<String> failure,
        boolean forced) {

    public String describe() {
        if (failure.isPresent()) {
            return failure.get();
        }
        if (done) {
            return forced ? "drained by deleting the pods left after the timeout" : "drained";
        }
        return podsLeft.size() + " pod(s) left (" + String.join(", ", podsLeft.subList(0, Math.min(5, podsLeft.size())))
                + (podsLeft.size() > 5 ? ", …" : "") + ")" + (blockedBy.isEmpty() ? "" : "; eviction refused by "
                        + String.join(", ", blockedBy));
    }
}
