package io.waveline.api;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.rollout.NodeRun;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * A rollout's node counts by wave and state, as the summary shows them: one grouped query per rollout shared by all
 * the readers who ask within {@code waveline.api.counts-max-age} of it (and for the same version of the rollout row,
 * so a change of phase or the end of the rollout is never shown with older counts). Fifty dashboards polling a
 * 10,000-node rollout cost one query each interval, not fifty; a reader who comes while the query runs waits for its
 * answer instead of starting another.
 */
@ApplicationScoped
public class RolloutCounts {

    private record Counted(long rolloutVersion, long atNanos, Map<Integer, Map<String, Long>> counts) {
    }

    @ConfigProperty(name = "waveline.api.counts-max-age", defaultValue = "500ms")
    Duration maxAge;

    private final Map<Long, Counted> counted = new ConcurrentHashMap<>();

    /** The counts of rollout {@code id} whose row is at {@code rolloutVersion}; read in the caller's transaction when not fresh. */
    Map<Integer, Map<String, Long>> of(long id, long rolloutVersion) {
        Counted kept = counted.get(id);
        if (fresh(kept, rolloutVersion)) {
            return kept.counts();
        }
        if (counted.size() > 1000) {
            counted.clear();
        }
        return counted.compute(id, (key, now) -> fresh(now, rolloutVersion) ? now
                : new Counted(rolloutVersion, System.nanoTime(), read(id))).counts();
    }

    private boolean fresh(Counted kept, long rolloutVersion) {
        return kept != null && kept.rolloutVersion() == rolloutVersion && System.nanoTime() - kept.atNanos() < maxAge.toNanos();
    }

    private static Map<Integer, Map<String, Long>> read(long id) {
        Map<Integer, Map<String, Long>> counts = new java.util.HashMap<>();
        for (Object[] row : NodeRun.getEntityManager().createQuery("select n.waveIndex, n.state, count(n) from NodeRun n"
                + " where n.rolloutId = ?1 group by n.waveIndex, n.state", Object[].class).setParameter(1, id).getResultList()) {
            counts.computeIfAbsent((Integer) row[0], w -> new java.util.TreeMap<>()).put(row[1].toString(), (Long) row[2]);
        }
        return Map.copyOf(counts);
    }
}
