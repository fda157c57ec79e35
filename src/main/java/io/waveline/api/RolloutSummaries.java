package io.waveline.api;

import java.time.Duration;
import java.util.Map;
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
 * that read instead of starting another. A change this replica commits to the rollout (a command, a phase, a halt, the
 * end) shows at once ({@link RolloutRevisions}); the node counts, and changes committed by another replica, show
 * within the max age.
 */
@ApplicationScoped
public class RolloutSummaries {

    private record Kept(long revision, long atNanos, RolloutView summary) {
    }

    @ConfigProperty(name = "waveline.api.summary-max-age", defaultValue = "500ms")
    Duration maxAge;

    @Inject
    RolloutRevisions revisions;

    private final Map<Long, Kept> kept = new ConcurrentHashMap<>();

    /** The summary of rollout {@code id}, read with {@code read} (in the caller's transaction) when the kept one is not fresh. */
    RolloutView of(long id, LongFunction<RolloutView> read) {
        long revision = revisions.of(id);
        Kept now = kept.get(id);
        if (fresh(now, revision)) {
            return now.summary();
        }
        if (kept.size() > 1000) {
            kept.clear();
        }
        return kept.compute(id, (key, before) -> fresh(before, revision) ? before
                : new Kept(revision, System.nanoTime(), read.apply(id))).summary();
    }

    private boolean fresh(Kept kept, long revision) {
        return kept != null && kept.revision() == revision && System.nanoTime() - kept.atNanos() < maxAge.toNanos();
    }
}
