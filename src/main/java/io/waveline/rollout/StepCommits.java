package io.waveline.rollout;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

/**
 * Commits step decisions in batches: steps hand their decisions in and go on; one thread takes everything handed in
 * meanwhile and commits it per rollout in one transaction ({@link RolloutStore#commitSteps}). While one batch
 * commits, the next one gathers, so a busy engine commits hundreds of steps per fsync and an idle one commits a
 * single step at once. A decision's future answers its node run's new version (empty: refused, nothing written) after
 * its transaction committed, or fails if it could not be committed. A batch that fails is committed again one decision
 * at a time, so one bad decision does not take the others with it. A batch refused because this replica no longer holds
 * the lease is refused whole, and the engine is told.
 */
final class StepCommits {

    private static final Logger LOG = Logger.getLogger(StepCommits.class);

    private record Handed(Decision decision, Lease lease, CompletableFuture<OptionalLong> answer) {
    }

    private final RolloutStore store;
    private final Clock clock;
    private final int maxBatch;
    /** Told of a lease found lost at a commit, so the engine stops dispatching under it. */
    private final java.util.function.Consumer<Lease> lost;
    private final BlockingQueue<Handed> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long batches;
    private volatile long committed;

    StepCommits(RolloutStore store, Clock clock, int maxBatch, java.util.function.Consumer<Lease> lost) {
        this.store = store;
        this.lost = lost;
        this.clock = clock;
        this.maxBatch = maxBatch;
        this.thread = RolloutEngine.background(new Thread(this::loop, "rollout-commit"));
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<OptionalLong> submit(Decision decision, Lease lease) {
        CompletableFuture<OptionalLong> answer = new CompletableFuture<>();
        if (!running) {
            answer.completeExceptionally(new IllegalStateException("the engine is stopping"));
            return answer;
        }
        queue.add(new Handed(decision, lease, answer));
        return answer;
    }

    /** Decisions committed and the transactions it took, since start. */
    long[] figures() {
        return new long[] { committed, batches };
    }

    /**
     * Stops taking decisions; what was handed in is still committed (the lease is held until the engine releases it
     * after this), for at most ten seconds; what is left after that fails.
     */
    void stop() {
        running = false;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(10));
            if (thread.isAlive()) {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        List<Handed> left = new ArrayList<>();
        queue.drainTo(left);
        left.forEach(h -> h.answer().completeExceptionally(new IllegalStateException("the engine stopped")));
    }

    private void loop() {
        while (running || !queue.isEmpty()) {
            List<Handed> batch = new ArrayList<>();
            try {
                Handed first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, maxBatch - 1);
            Map<Lease, List<Handed>> byLease = new LinkedHashMap<>();
            batch.forEach(h -> byLease.computeIfAbsent(h.lease(), l -> new ArrayList<>()).add(h));
            byLease.forEach(this::commit);
        }
    }

    private void commit(Lease lease, List<Handed> handed) {
        try {
            java.util.Optional<List<OptionalLong>> held = store.commitSteps(handed.stream().map(Handed::decision).toList(), lease,
                    clock.instant());
            if (held.isEmpty()) {
                lost.accept(lease);
            }
            List<OptionalLong> answers = held.orElseGet(() -> java.util.Collections.nCopies(handed.size(), OptionalLong.empty()));
            batches++;
            committed += handed.size();
            for (int i = 0; i < handed.size(); i++) {
                handed.get(i).answer().complete(answers.get(i));
            }
        } catch (RuntimeException e) {
            if (handed.size() == 1) {
                handed.get(0).answer().completeExceptionally(e);
                return;
            }
            LOG.warnf("A batch of %d step commits of rollout %d failed (%s); committing them one at a time", handed.size(),
                    lease.rolloutId(), e.getMessage());
            handed.forEach(h -> commit(lease, List.of(h)));
        }
    }
}
