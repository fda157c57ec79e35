package io.waveline.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.waveline.rollout.port.GpuBaseline;

/**
 * GPU baselines read ahead: those of the pending nodes next in line ({@link Action.LookAhead}), read while the nodes
 * ahead of them are still out of service, so that a node's first look, once it starts, reads only what must be read at
 * its start (its installed versions and boot id) and its time out of service does not include nvidia-smi's reads.
 *
 * <p>Kept in memory only: a baseline is a read, not a state change, and it is committed with the node's cordon, as one
 * read at the start would be. A replica that restarts or loses the lease reads them again, at the node's start at the
 * latest. A baseline older than {@code maxAge} when its node starts is not used (the node's GPUs are read again then),
 * and a node still in line when its baseline is that old is read ahead again; a node that did not answer is tried
 * again after {@code maxAge}, not at every reconcile.
 */
final class BaselinesAhead {

    /** A baseline read ahead for one node run, {@code at} when the read began; empty when the node did not answer. */
    record Ahead(Instant at, Optional<GpuBaseline> baseline) {
    }

    /** A baseline taken for a node's first look, and how long before that it was read. */
    record Taken(GpuBaseline baseline, Duration age) {
    }

    private final Duration maxAge;
    private final Map<Long, Ahead> read = new ConcurrentHashMap<>();
    private final Map<Long, Boolean> reading = new ConcurrentHashMap<>();

    /** {@code maxAge}: {@code waveline.engine.look-ahead-max-age}, more than zero (else every reconcile would read again). */
    BaselinesAhead(Duration maxAge) {
        if (maxAge == null || maxAge.isZero() || maxAge.isNegative()) {
            throw new IllegalArgumentException("waveline.engine.look-ahead-max-age is " + (maxAge == null ? "unset"
                    : maxAge.isNegative() ? "negative" : "0s") + ": it must be longer than zero,"
                    + " such as 2m (to read no baseline ahead, set waveline.engine.look-ahead=0)");
        }
        this.maxAge = maxAge;
    }

    /**
     * Whether the node run's baseline should be read ahead now: none is being read, and none was read (or tried)
     * within {@code maxAge}. A true answer claims the read: {@link #put} or {@link #abandon} ends it.
     */
    boolean claim(long nodeRunId, Instant now) {
        Ahead ahead = read.get(nodeRunId);
        if (ahead != null && !ahead.at().plus(maxAge).isBefore(now)) {
            return false;
        }
        return reading.putIfAbsent(nodeRunId, Boolean.TRUE) == null;
    }

    /** The baseline read ahead (empty: the node did not answer), read from {@code at}. */
    void put(long nodeRunId, Instant at, Optional<GpuBaseline> baseline) {
        read.put(nodeRunId, new Ahead(at, baseline));
        reading.remove(nodeRunId);
    }

    /** A claimed read that was not made (the node had started meanwhile, or the engine is stopping). */
    void abandon(long nodeRunId) {
        reading.remove(nodeRunId);
    }

    /** For a node's first look: its baseline read ahead, if one was read within {@code maxAge} of {@code now}; forgotten either way. */
    Optional<Taken> take(long nodeRunId, Instant now) {
        Ahead ahead = read.remove(nodeRunId);
        if (ahead == null || ahead.baseline().isEmpty() || ahead.at().plus(maxAge).isBefore(now)) {
            return Optional.empty();
        }
        return Optional.of(new Taken(ahead.baseline().get(), Duration.between(ahead.at(), now)));
    }

    /** Forgets the baselines older than twice {@code maxAge}: nodes that were skipped, or whose rollout ended meanwhile. */
    void forgetOld(Instant now) {
        Instant before = now.minus(maxAge.multipliedBy(2));
        read.values().removeIf(a -> a.at().isBefore(before));
    }

    int held() {
        return read.size();
    }
}
