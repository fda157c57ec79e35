package io.waveline.rollout;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Counters per rollout of the rollout-level changes this replica committed, so that a reader keeping a copy of a
 * rollout's summary knows at once when this replica changed it: {@link Revision#commanded()} counts the commands
 * (pause, resume, abort, approve, roll back), whose effect the next read must show, and {@link Revision#changed()}
 * counts those and the engine's own (phases, halts, ends, wave checks), which a reader may see one read of the
 * summary later. A node's start or step is not counted (the node counts show within the copy's max age). Changes
 * committed by another replica are not counted here; such readers bound their copy's age instead.
 */
@ApplicationScoped
public class RolloutRevisions {

    /** Where a rollout is: the commands committed to it, and every rollout-level change (the commands included). */
    public record Revision(long commanded, long changed) {
        static final Revision NONE = new Revision(0, 0);

        Revision after(boolean command) {
            return new Revision(command ? commanded + 1 : commanded, changed + 1);
        }
    }

    private final Map<Long, Revision> revisions = new ConcurrentHashMap<>();

    /** The revision of rollout {@code id} as this replica knows it. */
    public Revision of(long id) {
        return revisions.getOrDefault(id, Revision.NONE);
    }

    /** The engine committed a rollout-level change (a phase, a halt, the end, a wave's check). */
    void changed(long id) {
        bump(id, false);
    }

    /** A command was committed to the rollout. */
    void commanded(long id) {
        bump(id, true);
    }

    private void bump(long id, boolean command) {
        if (revisions.size() > 10_000) {
            revisions.clear(); // readers see a different revision, and read again: nothing is lost
        }
        revisions.compute(id, (key, before) -> (before == null ? Revision.NONE : before).after(command));
    }
}
