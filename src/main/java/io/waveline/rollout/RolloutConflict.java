package io.waveline.rollout;

/** A command that cannot be applied in the rollout's state, or a start that collides with another rollout. */
public final class RolloutConflict extends RuntimeException {

    public RolloutConflict(String message) {
        super(message);
    }
}
