package io.waveline.rollout;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
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

    private ExecutorService loop;
    private ExecutorService workers;
    private final AtomicBoolean wakeQueued = new AtomicBoolean();
    private final Set<Long> stepping = ConcurrentHashMap.newKeySet();
    private final Set<Long> checkingWaves = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private String replica;

    void onStart(@Observes StartupEvent event) {
        replica = replicaName.id();
        loop = Executors.newSingleThreadExecutor(r -> new Thread(r, "rollout-engine"));
        workers = Executors.newFixedThreadPool(settings.workers(), r -> new Thread(r, "rollout-step"));
        running = true;
        LOG.infof("Rollout engine started as replica %s (%d workers, tick %s)", replica, settings.workers(), settings.tick());
        wake();
    }

    /** First of the shutdown observers: the loop and the steps stop before the database goes away. */
    void onStop(@Observes @jakarta.annotation.Priority(1) ShutdownEvent event) {
        running = false;
        loop.shutdownNow();
        workers.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
            workers.awaitTermination(10, TimeUnit.SECONDS);
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

    @Scheduled(every = "${waveline.engine.tick:1s}", identity = "rollout-engine-tick",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void tick() {
        wake();
    }

    /** Runs the loop soon, once, however many wake-ups arrive meanwhile. */
    public void wake() {
        if (running && wakeQueued.compareAndSet(false, true)) {
            loop.execute(() -> {
                wakeQueued.set(false);
                reconcileAll();
            });
        }
    }

    void reconcileAll() {
        try {
            for (long id : store.unfinished()) {
                reconcile(id);
            }
        } catch (RuntimeException e) {
            LOG.error("Reconcile loop failed; it runs again at the next tick", e);
        }
    }

    private void reconcile(long id) {
        Instant now = clock.instant();
        Optional<Lease> held = store.lease(id, replica, settings.leaseTtl());
        if (held.isEmpty()) {
            return;
        }
        Lease lease = held.get();
        Optional<RolloutSnapshot> snapshot = store.snapshot(id);
        if (snapshot.isEmpty()) {
            return;
        }
        List<Action> actions = RolloutDecider.decide(snapshot.get(), now);
        List<Action> rolloutActions = actions.stream().filter(a -> !(a instanceof Action.StepNode)
                && !(a instanceof Action.CheckWave)).toList();
        if (!rolloutActions.isEmpty()) {
            if (!store.apply(lease, rolloutActions, now)) {
                return;
            }
            if (rolloutActions.stream().anyMatch(a -> a instanceof Action.Finish)) {
                inventory.refresh();
            }
        }
        for (Action action : actions) {
            if (action instanceof Action.StepNode step && stepping.add(step.nodeRunId())) {
                workers.execute(() -> runStep(lease, step.nodeRunId()));
            } else if (action instanceof Action.CheckWave check && checkingWaves.add(id)) {
                workers.execute(() -> runWaveCheck(lease, check));
            }
        }
        boolean progressed = rolloutActions.stream().anyMatch(a -> a instanceof Action.StartNode
                || a instanceof Action.StartRollback || a instanceof Action.EnterPhase || a instanceof Action.BeginRollingBack
                || a instanceof Action.Halt || a instanceof Action.Skip || a instanceof Action.MarkForRollback
                || a instanceof Action.AdmitBurnIn);
        if (progressed) {
            wake();
        }
    }

    private void runStep(Lease lease, long nodeRunId) {
        try {
            NodeRun run = store.detached(nodeRunId);
            if (!run.state.working()) {
                return;
            }
            Decision decided = stepper.step(run, clock.instant());
            OptionalLong committed = store.commitStep(decided, lease, clock.instant());
            if (committed.isPresent() && !decided.hostActions().isEmpty()) {
                store.commitStep(stepper.act(run, decided, committed.getAsLong(), clock.instant()), lease, clock.instant());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "Step of node run %d failed; it is tried again at the next tick", nodeRunId);
        } finally {
            stepping.remove(nodeRunId);
            wake();
        }
    }

    private void runWaveCheck(Lease lease, Action.CheckWave check) {
        long rolloutId = lease.rolloutId();
        try {
            waveChecker.run(lease, check);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Wave check of rollout %d failed; it is tried again at the next tick", rolloutId);
        } finally {
            checkingWaves.remove(rolloutId);
            wake();
        }
    }
}
