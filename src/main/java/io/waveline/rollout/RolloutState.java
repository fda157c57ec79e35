package io.waveline.rollout;

/** Where a rollout stands. The last four are final. */
public enum RolloutState {
    PENDING, RUNNING, PAUSED, WAITING_APPROVAL, ROLLING_BACK, SUCCEEDED, FAILED, ROLLED_BACK, ABORTED;

    public boolean isFinal() {
        return this == SUCCEEDED || this == FAILED || this == ROLLED_BACK || this == ABORTED;
    }
}
