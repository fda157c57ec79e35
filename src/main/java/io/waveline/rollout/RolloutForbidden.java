package io.waveline.rollout;

/** A command this caller may not give for this rollout (the two-person rule). */
public final class RolloutForbidden extends RuntimeException {

    public RolloutForbidden(String message) {
        super(message);
    }
}
