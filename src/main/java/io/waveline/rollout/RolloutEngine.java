package io.waveline.rollout;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The reconcile loop. On every tick, and at once when a command or a finished step wakes it, it goes over the
 * unfinished rollouts: takes or renews this replica's lease on each (skipping those another live replica
 * holds), reads a snapshot, asks {@link RolloutDecider} what to do, commits the rollout-level actions with their
 * events, and hands node steps to a bounded worker pool. A node is never stepped twice at once; a step's result
 * is committed only if the node run did not change meanwhile and this replica still holds the lease it was
 * dispatched under ({@link Lease}: fencing). A step with host actions commits its intent first, then acts, then
 * commits the outcome. Nothing is kept in memory that a restart would need: after a crash, the next loop reads
 * the same state and goes on.
 */
@ApplicationScoped
public class RolloutEngine {

    private static final Logger LOG = Logger.getLogger(RolloutEngine.class);

    @Inject
    RolloutStore store;

    @Inject
    NodeStepper stepper;

    @Inject
    WaveChecker waveChecker;

    @Inject
    EngineSettings settings;

    @Inject
    Clock clock;

    @Inject
    io.waveline.fleet.FleetInventory inventory;

    @Inject
    Replica replicaName;

    @Inject
    HeldViews held;

    @Inject
    BaselinesAhead baselinesAhead;

    private ExecutorService loop;
    private ExecutorService workers;
    /** Steps of nodes that wait on their host ({@link #waitsOnHost}), apart from the workers. */
    private ExecutorService waits;
    private StepCommits commits;
    private DueWakeups timer;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Set<Long> stepping = ConcurrentHashMap.newKeySet();
    private final Set<Long> checkingWaves = ConcurrentHashMap.newKeySet();
    /** The leases this replica holds, with when (System.nanoTime) each was taken or renewed last. */
    private final Map<Long, Renewed> leases = new ConcurrentHashMap<>();
    private volatile boolean running;
    private String replica;

    private record Renewed(Lease lease, long atNanos) {
    }

    /**
     * An engine thread at the lowest Java priority: where the JVM passes priorities to the OS
     * ({@code -XX:ThreadPriorityPolicy=1}, docs/configuration.md), the API's threads are served before the engine's
     * when a large rollout keeps every CPU busy.
     */
    static Thread background(Thread thread) {
        thread.setPriority(Thread.MIN_PRIORITY);
        return thread;
    }

    void onStart(@Observes StartupEvent event) {
        replica = replicaName.id();
        loop = Executors.newSingleThreadExecutor(r -> background(new Thread(r, "rollout-engine")));
        workers = Executors.newFixedThreadPool(settings.workers(), r -> background(new Thread(r, "rollout-step")));
        java.util.concurrent.ThreadPoolExecutor waiting = new java.util.concurrent.ThreadPoolExecutor(settings.waitWorkers(),
                settings.waitWorkers(), 30, TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                r -> background(new Thread(r, "rollout-wait")));
        waiting.allowCoreThreadTimeOut(true);
        waits = waiting;
        commits = new StepCommits(store, clock, settings.commitBatch(),
                lost -> leases.computeIfPresent(lost.rolloutId(), (id, r) -> r.lease().equals(lost) ? null : r));
        timer = new DueWakeups(settings.tick(), this::wake);
        running = true;
        LOG.infof("Rollout engine started as replica %s (%d workers, tick %s)", replica, settings.workers(), settings.tick());
        wake();
    }

    /** First of the shutdown observers: the loop and the steps stop before the database goes away. */
    void onStop(@Observes @jakarta.annotation.Priority(1) ShutdownEvent event) {
        running = false;
        timer.stop();
        loop.shutdownNow();
        workers.shutdownNow();
        waits.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
            workers.awaitTermination(10, TimeUnit.SECONDS);
            waits.awaitTermination(10, TimeUnit.SECONDS);
            commits.stop();
            try {
                int released = store.release(replica);
                if (released > 0) {
                    LOG.infof("Released %d rollout lease(s) of replica %s: a peer takes them over at its next tick", released, replica);
                }
            } catch (RuntimeException e) {
                LOG.warnf("Could not release the leases of replica %s (they expire after waveline.engine.lease-ttl): %s", replica,
                        e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The tick: a reconcile even when nothing woke the engine (retry times, soaks, approvals given on another
     * replica), and the held views read again from the database at it.
     */
    @Scheduled(every = "${waveline.engine.tick:1s}", identity = "rollout-engine-tick",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        held.staleAll();
        baselinesAhead.forgetOld(clock.instant());
        wake();
    }

    /** Runs the loop soon, once, however many wake-ups arrive meanwhile. */
    public void wake() {
        if (running && wakeQueued.compareAndSet(false, true)) {
            try {
                loop.execute(() -> {
                    wakeQueued.set(false);
                    reconcileAll();
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                wakeQueued.set(false); // stopping
            }
        }
    }

    void reconcileAll() {
        try {
            List<Long> unfinished = store.unfinished();
            held.retain(unfinished);
            leases.keySet().retainAll(unfinished);
            for (long id : unfinished) {
                reconcile(id);
            }
        } catch (RuntimeException e) {
            LOG.error("Reconcile loop failed; it runs again at the next tick", e);
        }
    }

    /**
     * This replica's lease on a rollout: renewed in the database when a quarter of its time-to-live has gone since the
     * last renewal (so a busy loop does not write a row per reconcile), taken when not held. Every commit checks the
     * lease in its own transaction anyway ({@link RolloutStore#holds}).
     */
    private Optional<Lease> lease(long id) {
        Renewed renewed = leases.get(id);
        if (renewed != null && System.nanoTime() - renewed.atNanos() < settings.leaseTtl().toNanos() / 4) {
            return Optional.of(renewed.lease());
        }
        long before = System.nanoTime();
        Optional<Lease> lease = store.lease(id, replica, settings.leaseTtl());
        if (lease.isPresent()) {
            leases.put(id, new Renewed(lease.get(), before));
        } else {
            leases.remove(id);
            held.drop(id);
        }
        return lease;
    }

    private void reconcile(long id) {
        Instant now = clock.instant();
        Optional<Lease> held = lease(id);
        if (held.isEmpty()) {
            return;
        }
        Lease lease = held.get();
        Optional<RolloutSnapshot> snapshot = store.snapshot(lease);
        if (snapshot.isEmpty()) {
            return;
        }
        List<Action> actions = RolloutDecider.decide(snapshot.get(), now);
        RolloutDecider.nextDue(snapshot.get(), now).ifPresent(at -> timer.wakeAt(at, now));
        List<Action> rolloutActions = actions.stream().filter(a -> !(a instanceof Action.StepNode)
                && !(a instanceof Action.CheckWave) && !(a instanceof Action.LookAhead)).toList();
        if (!rolloutActions.isEmpty()) {
            if (!store.apply(lease, rolloutActions, now)) {
                leases.remove(id);
                return;
            }
            if (rolloutActions.stream().anyMatch(a -> a instanceof Action.Finish)) {
                inventory.refresh();
            }
        }
        List<Long> steps = new ArrayList<>();
        for (Action action : actions) {
            if (action instanceof Action.StepNode step && stepping.add(step.nodeRunId())) {
                steps.add(step.nodeRunId());
            } else if (action instanceof Action.CheckWave check && checkingWaves.add(id)) {
                workers.execute(() -> runWaveCheck(lease, check));
            }
        }
        dispatch(lease, steps);
        actions.stream().filter(Action.LookAhead.class::isInstance).map(Action.LookAhead.class::cast).findFirst()
                .ifPresent(ahead -> lookAhead(ahead, now));
        boolean progressed = rolloutActions.stream().anyMatch(a -> a instanceof Action.StartNode
                || a instanceof Action.StartRollback || a instanceof Action.EnterPhase || a instanceof Action.BeginRollingBack
                || a instanceof Action.Halt || a instanceof Action.Skip || a instanceof Action.MarkForRollback
                || a instanceof Action.AdmitBurnIn);
        if (progressed) {
            wake();
        }
    }

    /**
     * Hands the node runs to step to the workers: those this replica committed last as they are held
     * ({@link HeldViews#run}), the others in chunks, each read in one query by a worker (not by this loop), then
     * stepped, each as its own task.
     */
    private void dispatch(Lease lease, List<Long> given) {
        List<Long> ids = new ArrayList<>();
        for (long id : given) {
            Optional<NodeRun> kept = held.run(lease.rolloutId(), id);
            if (kept.isPresent()) {
                later(kept.get(), () -> step(lease, kept.get()));
            } else {
                ids.add(id);
            }
        }
        int chunk = Math.max(1, Math.min(64, (ids.size() + settings.workers() - 1) / settings.workers()));
        for (int from = 0; from < ids.size(); from += chunk) {
            List<Long> part = List.copyOf(ids.subList(from, Math.min(ids.size(), from + chunk)));
            try {
                workers.execute(() -> load(lease, part));
            } catch (java.util.concurrent.RejectedExecutionException e) {
                part.forEach(stepping::remove); // stopping
            }
        }
    }

    /**
     * Reads the GPU baselines of the nodes next in line ahead of their start ({@link BaselinesAhead}): up to
     * {@code waveline.engine.look-ahead} of them, each once within {@code look-ahead-max-age}, on the workers after the
     * steps of this reconcile. Nothing is committed; a node that started meanwhile reads its own at its start.
     */
    private void lookAhead(Action.LookAhead ahead, Instant now) {
        List<Long> ids = ahead.nodeRunIds().stream().limit(settings.lookAhead())
                .filter(id -> !stepping.contains(id) && baselinesAhead.claim(id, now)).toList();
        if (!ids.isEmpty()) {
            readAheadLater(ids, () -> readAhead(ids));
        }
    }

    private void readAheadLater(List<Long> ids, Runnable work) {
        try {
            workers.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ids.forEach(baselinesAhead::abandon); // stopping
        }
    }

    private void readAhead(List<Long> ids) {
        List<NodeRun> runs;
        try {
            runs = store.detached(ids);
        } catch (RuntimeException e) {
            LOG.warnf("Could not read %d node run(s) in line to read their GPU baselines ahead: %s", ids.size(), e.getMessage());
            ids.forEach(baselinesAhead::abandon);
            return;
        }
        Set<Long> found = new java.util.HashSet<>();
        for (NodeRun run : runs) {
            found.add(run.id);
            if (run.state != NodeState.PENDING) {
                baselinesAhead.abandon(run.id);
            } else {
                readAheadLater(List.of(run.id), () -> readAhead(run));
            }
        }
        ids.stream().filter(i -> !found.contains(i)).forEach(baselinesAhead::abandon);
    }

    private void readAhead(NodeRun run) {
        try (NodeLogContext logged = NodeLogContext.of(run)) {
            Instant at = clock.instant();
            Optional<io.waveline.rollout.port.GpuBaseline> baseline = Optional.empty();
            try {
                baseline = stepper.readAhead(run);
            } catch (io.waveline.rollout.port.NodeUnreachableException e) {
                LOG.debugf("GPU baseline of %s not read ahead (%s); it is read at its start", run.nodeName, e.getMessage());
            } catch (RuntimeException e) {
                LOG.warnf(e, "GPU baseline of %s could not be read ahead; it is read at its start", run.nodeName);
            }
            baselinesAhead.put(run.id, at, baseline);
        }
    }

    private void load(Lease lease, List<Long> ids) {
        List<NodeRun> runs;
        try {
            runs = store.detached(ids);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Could not read %d node run(s) to step; they are tried again at the next tick", ids.size());
            ids.forEach(this::done);
            return;
        }
        Set<Long> found = new java.util.HashSet<>();
        for (int i = 0; i < runs.size(); i++) {
            NodeRun run = runs.get(i);
            found.add(run.id);
            if (i == runs.size() - 1 && !waitsOnHost(run.state)) {
                step(lease, run);
            } else {
                later(run, () -> step(lease, run));
            }
        }
        ids.stream().filter(i -> !found.contains(i)).forEach(stepping::remove);
    }

    /**
     * One step: decide on the worker, hand the decision to the batched commits, and, once it is committed, carry out
     * its host actions (a worker again) and hand their outcome in. The node run is stepped by no one else until the
     * last of these commits is done.
     */
    private void step(Lease lease, NodeRun run) {
        try (NodeLogContext logged = NodeLogContext.of(run)) {
            if (!run.state.working()) {
                done(run.id);
                return;
            }
            Decision decided = stepper.step(run, clock.instant());
            commits.submit(decided, lease).whenComplete((committed, failure) -> {
                if (failure == null && committed.isPresent()) {
                    logEnds(run, decided);
                }
                if (failure != null) {
                    LOG.errorf(failure, "Step of node run %d could not be committed; it is tried again at the next tick", run.id);
                    done(run.id);
                } else if (committed.isEmpty() || decided.hostActions().isEmpty()) {
                    done(run.id);
                } else {
                    later(run.id, () -> act(lease, run, decided, committed.getAsLong()));
                }
            });
        } catch (RuntimeException e) {
            LOG.errorf(e, "Step of node run %d failed; it is tried again at the next tick", run.id);
            done(run.id);
        }
    }

    /** A node's end (succeeded, failed, quarantined, rolled back, skipped) as a log line too, once committed. */
    private static void logEnds(NodeRun run, Decision decided) {
        for (Decision.Event event : decided.events()) {
            if (ENDS.contains(event.kind())) {
                try (NodeLogContext logged = NodeLogContext.of(run)) {
                    LOG.infof("%s %s: %s", event.kind(), run.nodeName, event.message());
                }
            }
        }
    }

    private static final Set<String> ENDS = Set.of("node.succeeded", "node.failed", "node.quarantined", "node.rolled-back",
            "node.skipped");

    private void act(Lease lease, NodeRun before, Decision decided, long committedVersion) {
        try (NodeLogContext logged = NodeLogContext.of(before)) {
            Decision outcome = stepper.act(before, decided, committedVersion, clock.instant());
            commits.submit(outcome, lease).whenComplete((committed, failure) -> {
                if (failure == null && committed.isPresent()) {
                    logEnds(before, outcome);
                }
                if (failure != null) {
                    LOG.errorf(failure, "The outcome of a host action on node run %d could not be committed; the next step"
                            + " reconciles it with the host", before.id);
                }
                done(before.id);
            });
        } catch (RuntimeException e) {
            LOG.errorf(e, "Host action of node run %d failed; it is tried again at the next tick", before.id);
            done(before.id);
        }
    }

    /**
     * Whether a step in this state waits on its host rather than works: an install (its end is waited for on the node,
     * up to a poll interval) and a reboot (a new boot id is waited for the same way; a host that is down answers a
     * connection only when its timeout ends). With a poll interval of 0 nothing is waited for on the node, and these
     * steps are work like the others (run by the workers, so that no more of them run at once than there are workers).
     */
    private boolean waitsOnHost(NodeState state) {
        return (state == NodeState.UPGRADING || state == NodeState.ROLLING_BACK || state == NodeState.REBOOTING)
                && !settings.pollInterval().isZero() && !settings.pollInterval().isNegative();
    }

    /** A step of {@code run}: with the waits when it waits on its host, with the workers otherwise. */
    private void later(NodeRun run, Runnable work) {
        later(run.id, work, waitsOnHost(run.state) ? waits : workers);
    }

    private void later(long nodeRunId, Runnable work) {
        later(nodeRunId, work, workers);
    }

    private void later(long nodeRunId, Runnable work, ExecutorService pool) {
        try {
            pool.execute(work);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            stepping.remove(nodeRunId); // stopping
        }
    }

    private void done(long nodeRunId) {
        stepping.remove(nodeRunId);
        wake();
    }

    private void runWaveCheck(Lease lease, Action.CheckWave check) {
        long rolloutId = lease.rolloutId();
        try {
            waveChecker.run(lease, check);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Wave check of rollout %d failed; it is tried again at the next tick", rolloutId);
        } finally {
            held.stale(rolloutId);
            checkingWaves.remove(rolloutId);
            wake();
        }
    }
}
