package io.waveline.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.waveline.plan.NodeFacts;
import io.waveline.rollout.RolloutSnapshot.NodeRunView;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The decider's view of the node runs of each rollout this replica holds the lease of, kept in memory so a reconcile
 * of a rollout with thousands of nodes does not read them all again: loaded from the database when the lease is taken
 * (a new epoch) and again at every engine tick, and fed in between by what this replica commits (steps, starts,
 * skips), with the whole node run as committed, so the next step of a node does not read it again. Under a lease no one else writes a rollout's node runs, so between ticks the view is the database's; a
 * write from outside (an operator's SQL) shows at the next tick. A view never goes back to an older version of a node
 * run, so a reload that read just before a commit does not undo it.
 */
@ApplicationScoped
public class HeldViews {

    /**
     * One node run's view and the version it shows; {@code run}: the whole node run at that version where this replica
     * committed it (a step then starts from it without reading it again), else null.
     */
    record Entry(long version, NodeRunView view, NodeRun run) {
        Entry(long version, NodeRunView view) {
            this(version, view, null);
        }
    }

    /** A held rollout: its node runs in wave order, their facts (frozen at start), and the epoch it was loaded under. */
    static final class Held {
        final long epoch;
        final List<Long> order;
        final Map<Long, NodeFacts> facts;
        final Map<Long, Entry> entries = new ConcurrentHashMap<>();
        final List<NodeFacts> pool;
        volatile boolean stale;

        Held(long epoch, List<Long> order, Map<Long, NodeFacts> facts, List<NodeFacts> pool) {
            this.epoch = epoch;
            this.order = order;
            this.facts = facts;
            this.pool = pool;
        }

        List<NodeRunView> views() {
            List<NodeRunView> views = new ArrayList<>(order.size());
            for (long id : order) {
                views.add(entries.get(id).view());
            }
            return views;
        }
    }

    private final Map<Long, Held> held = new ConcurrentHashMap<>();

    /** The held view of a rollout under {@code epoch}, empty when it must be read from the database first. */
    Optional<Held> current(long rolloutId, long epoch) {
        Held h = held.get(rolloutId);
        return h == null || h.epoch != epoch || h.stale ? Optional.empty() : Optional.of(h);
    }

    /** The facts and pool kept from an earlier load under any epoch (they do not change during a rollout). */
    Optional<Held> earlier(long rolloutId) {
        return Optional.ofNullable(held.get(rolloutId));
    }

    void load(long rolloutId, Held loaded, List<Entry> entries) {
        Held before = held.get(rolloutId);
        for (Entry entry : entries) {
            Entry kept = before == null || before.epoch != loaded.epoch ? null : before.entries.get(entry.view().id());
            loaded.entries.put(entry.view().id(), kept != null && kept.version() >= entry.version() ? kept : entry);
        }
        held.put(rolloutId, loaded);
    }

    /** What this replica just committed of a node run. */
    void committed(NodeRun run) {
        Held h = held.get(run.rolloutId);
        if (h == null) {
            return;
        }
        h.entries.compute(run.id, (id, kept) -> kept != null && kept.version() >= run.version ? kept
                : new Entry(run.version, RolloutStore.view(run), run));
    }

    /** A copy of the node run as this replica last committed it, if the held view is at that version. */
    Optional<NodeRun> run(long rolloutId, long nodeRunId) {
        Held h = held.get(rolloutId);
        Entry entry = h == null ? null : h.entries.get(nodeRunId);
        return entry == null || entry.run() == null ? Optional.empty() : Optional.of(entry.run().copy());
    }

    /** Read it all again at the next reconcile (a write this class is not told about, the engine tick). */
    void stale(long rolloutId) {
        Held h = held.get(rolloutId);
        if (h != null) {
            h.stale = true;
        }
    }

    void staleAll() {
        held.values().forEach(h -> h.stale = true);
    }

    /** Forgets rollouts that ended or are no longer held. */
    void retain(java.util.Collection<Long> rolloutIds) {
        held.keySet().retainAll(rolloutIds);
    }

    void drop(long rolloutId) {
        held.remove(rolloutId);
    }
}
