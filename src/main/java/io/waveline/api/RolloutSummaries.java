package io.waveline.api;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.rollout.RolloutRevisions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Rollout summaries as {@code GET /api/v1/rollouts/{id}?nodes=false} answers them, kept for
 * {@code waveline.api.summary-max-age} and shared by every reader of the rollout: fifty dashboards polling a
 * 10,000-node rollout cost one read of it each interval, not fifty, and a reader who asks while it is read waits for
 * that read instead of starting another. A command committed through this replica shows at once
 * ({@link RolloutRevisions.Revision#commanded()}): its readers wait for the read that shows it. The engine's own
 * changes (a phase, a halt, the end) show within the time of one read: the first reader after the change starts it,
 * and is answered, as every reader until that read is done, the kept summary; so while the engine saturates the
 * machine and one read takes a few hundred milliseconds, the readers are not held for it at every phase. The node
 * counts, and changes committed by another replica, show within the max age and the time of one read: a reader who
 * finds the kept summary past its age gets it still, and starts the one read that replaces it.
 */
@ApplicationScoped
public class RolloutSummaries {

    private record Kept(RolloutRevisions.Revision revision, long atNanos, RolloutView summary,
            java.util.concurrent.atomic.AtomicBoolean refreshing) {
        Kept(RolloutRevisions.Revision revision, long atNanos, RolloutView summary) {
            this(revision, atNanos, summary, new java.util.concurrent.atomic.AtomicBoolean());
        }
    }

    /** How much older than the max age a kept summary may be answered while it is read again: this many max ages. */
    private static final int STALE_AGES = 5;

    @ConfigProperty(name = "waveline.api.summary-max-age", defaultValue = "500ms")
    Duration maxAge;

    @Inject
    RolloutRevisions revisions;

    private final Map<Long, Kept> kept = new ConcurrentHashMap<>();

    /** The monotonic time the ages are measured in (tests set their own). */
    java.util.function.LongSupplier nanos = System::nanoTime;

    /**
     * The summary of rollout {@code id} if it can be answered without waiting for a read: the kept one when it is
     * fresh, or when its age is past or the engine changed the rollout since (no command) and it is not older than a
     * few max ages; then {@code refresh} is started once, so the next readers get the new one, and no reader waits
     * for that read.
     */
    Optional<RolloutView> kept(long id, Runnable refresh) {
        Kept now = kept.get(id);
        RolloutRevisions.Revision revision = revisions.of(id);
        if (now == null || now.revision().commanded() != revision.commanded()) {
            return Optional.empty();
        }
        long age = nanos.getAsLong() - now.atNanos();
        if (age < maxAge.toNanos() && now.revision().equals(revision)) {
            return Optional.of(now.summary());
        }
        if (age >= maxAge.toNanos() * (1 + STALE_AGES)) {
            return Optional.empty();
        }
        if (now.refreshing().compareAndSet(false, true)) {
            try {
                refresh.run();
            } catch (RuntimeException e) { // it could not be started (stopping): this reader reads it itself
                now.refreshing().set(false);
                return Optional.empty();
            }
        }
        return Optional.of(now.summary());
    }

    /** The summary of rollout {@code id}, read with {@code read} (in the caller's transaction) when the kept one is not fresh. */
    RolloutView of(long id, LongFunction<RolloutView> read) {
        RolloutRevisions.Revision revision = revisions.of(id);
        Kept now = kept.get(id);
        if (fresh(now, revision)) {
            return now.summary();
        }
        if (kept.size() > 1000) {
            kept.clear();
        }
        try {
            return kept.compute(id, (key, before) -> fresh(before, revision) ? before
                    : new Kept(revision, nanos.getAsLong(), read.apply(id))).summary();
        } finally {
            if (now != null) {
                now.refreshing().set(false); // replaced, or its read failed: another reader may start the next
            }
        }
    }

    private boolean fresh(Kept kept, RolloutRevisions.Revision revision) {
        return kept != null && kept.revision().equals(revision) && nanos.getAsLong() - kept.atNanos() < maxAge.toNanos();
    }
}
