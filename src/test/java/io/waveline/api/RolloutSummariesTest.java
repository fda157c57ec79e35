package io.waveline.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.waveline.rollout.RolloutRevisions;

/** The kept summaries: what a reader is answered without waiting, and when one read replaces them. */
class RolloutSummariesTest {

    final AtomicLong now = new AtomicLong();
    final AtomicInteger reads = new AtomicInteger();
    final List<Runnable> refreshes = new ArrayList<>();
    RolloutSummaries summaries;

    @BeforeEach
    void keep() {
        summaries = new RolloutSummaries();
        summaries.maxAge = Duration.ofMillis(500);
        summaries.revisions = new RolloutRevisions();
        summaries.nanos = now::get;
    }

    /** A summary that says which read made it (its plan name). */
    RolloutView read(long id) {
        return new RolloutView(id, "read-" + reads.incrementAndGet(), null, null, 0, null, null, null, null, null, null, false,
                null, null, null, null);
    }

    @Test
    void aFreshSummaryIsAnsweredAsItIsAndAnOldOneWhileOneReadReplacesIt() {
        assertThat(summaries.kept(7, () -> refreshes.add(() -> summaries.of(7, this::read)))).isEmpty();
        assertThat(summaries.of(7, this::read).plan()).isEqualTo("read-1");

        now.addAndGet(Duration.ofMillis(400).toNanos());
        assertThat(summaries.kept(7, () -> refreshes.add(() -> summaries.of(7, this::read))).orElseThrow().plan()).isEqualTo("read-1");
        assertThat(refreshes).isEmpty();

        now.addAndGet(Duration.ofMillis(200).toNanos()); // 600 ms: past its age
        for (int reader = 0; reader < 50; reader++) {
            assertThat(summaries.kept(7, () -> refreshes.add(() -> summaries.of(7, this::read))).orElseThrow().plan())
                    .isEqualTo("read-1");
        }
        assertThat(refreshes).as("one read for fifty readers").hasSize(1);

        refreshes.get(0).run();
        assertThat(summaries.kept(7, () -> refreshes.add(() -> summaries.of(7, this::read))).orElseThrow().plan()).isEqualTo("read-2");
        assertThat(reads).hasValue(2);
    }

    @Test
    void theEnginesChangeIsShownOneReadLaterAndACommandAtOnce() {
        summaries.of(7, this::read);
        now.addAndGet(Duration.ofMillis(100).toNanos());

        io.waveline.rollout.RevisionSteps.engineChanged(summaries.revisions, 7); // a phase, committed by the engine
        for (int reader = 0; reader < 50; reader++) {
            assertThat(summaries.kept(7, () -> refreshes.add(() -> summaries.of(7, this::read))).orElseThrow().plan())
                    .as("the readers are not held while it is read").isEqualTo("read-1");
        }
        assertThat(refreshes).as("the first reader after the change starts the one read").hasSize(1);
        refreshes.get(0).run();
        assertThat(summaries.kept(7, () -> refreshes.add(() -> { })).orElseThrow().plan()).isEqualTo("read-2");

        io.waveline.rollout.RevisionSteps.commanded(summaries.revisions, 7); // a pause
        assertThat(summaries.kept(7, () -> refreshes.add(() -> { }))).as("a command: the next reader waits for its read").isEmpty();
        assertThat(summaries.of(7, this::read).plan()).isEqualTo("read-3");
        assertThat(refreshes).hasSize(1);
    }

    @Test
    void aSummaryFarPastItsAgeIsReadAgainBeforeItIsAnswered() {
        summaries.of(7, this::read);
        now.addAndGet(Duration.ofSeconds(3).toNanos()); // six ages

        assertThat(summaries.kept(7, () -> refreshes.add(() -> { }))).isEmpty();
        assertThat(summaries.of(7, this::read).plan()).isEqualTo("read-2");
    }
}
