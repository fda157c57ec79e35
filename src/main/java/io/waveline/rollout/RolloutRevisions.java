package io.waveline.rollout;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * A counter per rollout of the rollout-level changes this replica committed (commands, phases, halts, ends, wave
 * checks), so that a reader keeping a copy of a rollout's summary knows at once when this replica changed it. A node's
 * start or step is not counted (the node counts show within the copy's max age). Changes committed by another replica
 * are not counted here; such readers bound their copy's age instead.
 */
@ApplicationScoped
public class RolloutRevisions {

    private final Map<Long, Long> revisions = new ConcurrentHashMap<>();

    /** The revision of rollout {@code id} as this replica knows it. */
    public long of(long id) {
        return revisions.getOrDefault(id, 0L);
    }

    void changed(long id) {
        if (revisions.size() > 10_000) {
            revisions.clear(); // readers see a different revision, and read again: nothing is lost
        }
        revisions.merge(id, 1L, Long::sum);
    }
}
