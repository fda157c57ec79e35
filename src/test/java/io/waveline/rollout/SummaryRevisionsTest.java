package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/**
 * What sends the readers of a rollout's kept summary back to the database at once: a change of what the summary shows
 * beyond its node counts (a halt, a phase), not a node's start, which a large rollout commits many times a second.
 */
@QuarkusTest
class SummaryRevisionsTest {

    @Inject
    RolloutStore store;

    @Inject
    RolloutRevisions revisions;

    @Test
    void aNodeStartKeepsTheSummaryAndAHaltReplacesIt() {
        long id = ConcurrentStartTestPlans.abortedRollout("revisions", "gpu-h100-12", "570.124.51");
        long nodeRunId = QuarkusTransaction.requiringNew().call(() -> NodeRun.<NodeRun>find("rolloutId", id).firstResult().id);
        Lease lease = store.lease(id, "replica-revisions", Duration.ofSeconds(30)).orElseThrow();
        try {
            RolloutRevisions.Revision before = revisions.of(id);
            assertThat(store.apply(lease, List.of(new Action.StartNode(nodeRunId)), Instant.now())).isTrue();
            assertThat(revisions.of(id)).as("after a node's start").isEqualTo(before);

            assertThat(store.apply(lease, List.of(new Action.Halt("a reader sees this at once")), Instant.now())).isTrue();
            assertThat(revisions.of(id)).as("after a halt").isEqualTo(new RolloutRevisions.Revision(before.commanded(), before.changed() + 1));

            assertThat(store.apply(lease, List.of(new Action.EnterPhase(0, WavePhase.SOAKING, "soak")), Instant.now())).isTrue();
            assertThat(revisions.of(id)).as("after a phase").isEqualTo(new RolloutRevisions.Revision(before.commanded(), before.changed() + 2));
        } finally {
            store.release("replica-revisions");
        }
    }
}
