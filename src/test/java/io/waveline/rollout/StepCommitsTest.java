package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The engine's batched step commits: what is handed in while a batch commits goes into the next batch together
 * (one transaction for many steps), a batch that fails is committed again one decision at a time so only the bad
 * one fails, and a lease found lost refuses the whole batch and tells the engine.
 */
class StepCommitsTest {

    static final Lease LEASE = new Lease(1, "replica-a", 3);

    static Decision decision(long nodeRunId) {
        NodeRun run = new NodeRun();
        run.id = nodeRunId;
        run.rolloutId = 1;
        run.version = 10;
        return new Decision(run, List.of(), List.of(), List.of());
    }

    /** A store that records the batches it is asked to commit, answering each node run's version + 1. */
    static class RecordingStore extends RolloutStore {
        final List<List<Long>> batches = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile long bad = -1;
        volatile boolean leaseLost;

        @Override
        public Optional<List<OptionalLong>> commitSteps(List<Decision> decisions, Lease lease, Instant now) {
            batches.add(decisions.stream().map(d -> d.next().id).toList());
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (leaseLost) {
                return Optional.empty();
            }
            if (decisions.stream().anyMatch(d -> d.next().id == bad)) {
                throw new IllegalStateException("node run " + bad + " cannot be written");
            }
            return Optional.of(decisions.stream().map(d -> OptionalLong.of(d.next().version + 1)).toList());
        }
    }

    @Test
    void stepsHandedInWhileABatchCommitsAreCommittedTogether() throws Exception {
        RecordingStore store = new RecordingStore();
        StepCommits commits = new StepCommits(store, Clock.systemUTC(), 500, lost -> {
        });
        try {
            CompletableFuture<OptionalLong> first = commits.submit(decision(1), LEASE);
            assertThat(store.entered.await(30, TimeUnit.SECONDS)).isTrue();
            List<CompletableFuture<OptionalLong>> more = new ArrayList<>();
            for (long id = 2; id <= 41; id++) {
                more.add(commits.submit(decision(id), LEASE));
            }
            store.release.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS)).hasValue(11);
            for (CompletableFuture<OptionalLong> answer : more) {
                assertThat(answer.get(30, TimeUnit.SECONDS)).hasValue(11);
            }
            assertThat(store.batches).extracting(List::size).containsExactly(1, 40);
            assertThat(commits.figures()).containsExactly(41, 2);
        } finally {
            commits.stop();
        }
    }

    @Test
    void aFailingBatchIsCommittedAgainOneByOneSoOnlyTheBadStepFails() throws Exception {
        RecordingStore store = new RecordingStore();
        store.bad = 3;
        StepCommits commits = new StepCommits(store, Clock.systemUTC(), 500, lost -> {
        });
        try {
            CompletableFuture<OptionalLong> first = commits.submit(decision(1), LEASE);
            assertThat(store.entered.await(30, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<OptionalLong> two = commits.submit(decision(2), LEASE);
            CompletableFuture<OptionalLong> three = commits.submit(decision(3), LEASE);
            CompletableFuture<OptionalLong> four = commits.submit(decision(4), LEASE);
            store.release.countDown();
            assertThat(first.get(30, TimeUnit.SECONDS)).hasValue(11);
            assertThat(two.get(30, TimeUnit.SECONDS)).hasValue(11);
            assertThat(four.get(30, TimeUnit.SECONDS)).hasValue(11);
            try {
                three.get(30, TimeUnit.SECONDS);
                throw new AssertionError("the bad step was committed");
            } catch (ExecutionException e) {
                assertThat(e.getCause()).hasMessageContaining("node run 3 cannot be written");
            }
            assertThat(store.batches).containsExactly(List.of(1L), List.of(2L, 3L, 4L), List.of(2L), List.of(3L), List.of(4L));
        } finally {
            commits.stop();
        }
    }

    @Test
    void aLostLeaseRefusesTheBatchAndTellsTheEngine() throws Exception {
        RecordingStore store = new RecordingStore();
        store.leaseLost = true;
        store.release.countDown();
        List<Lease> told = new CopyOnWriteArrayList<>();
        StepCommits commits = new StepCommits(store, Clock.systemUTC(), 500, told::add);
        try {
            assertThat(commits.submit(decision(1), LEASE).get(30, TimeUnit.SECONDS)).isEmpty();
            assertThat(told).containsExactly(LEASE);
        } finally {
            commits.stop();
        }
    }
}
