package io.waveline.rollout;

/** A command for a rollout that does not exist. */
public final class RolloutNotFound extends RuntimeException {

    public RolloutNotFound(String message) {
        super(message);
    }
}
