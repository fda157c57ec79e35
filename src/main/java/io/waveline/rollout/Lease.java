package io.waveline.rollout;

/**
 * A replica's hold on a rollout: {@code epoch} changes whenever another replica takes the rollout over, so work
 * dispatched under an older epoch can no longer commit ({@link RolloutStore} checks it in the committing
 * transaction).
 */
public record Lease(long rolloutId, String owner, long epoch) {
}
