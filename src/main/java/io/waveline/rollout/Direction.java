package io.waveline.rollout;

/** Whether a node run is moving to the target versions or back to its previous ones. */
public enum Direction {
    FORWARD, ROLLBACK
}
