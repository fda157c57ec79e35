package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.waveline.plan.NodeFacts;
import io.waveline.rollout.RolloutSnapshot.NodeRunView;

/**
 * The decider's held view of a rollout: a step committed while the view was being read again must not be undone by
 * the older read, a new lease epoch or a stale mark means reading it again, and rollouts that ended are forgotten.
 */
class HeldViewsTest {

    static final NodeFacts NODE = new NodeFacts("gpu-001", Map.of(), "nvidia", "H100", 8, true, Map.of(), true);

    static HeldViews.Entry entry(long version, NodeState state) {
        return new HeldViews.Entry(version, new NodeRunView(7, 0, NODE, state, Direction.FORWARD, false, Optional.empty(),
                Optional.empty(), Instant.EPOCH));
    }

    static NodeRun committed(long version, NodeState state) {
        NodeRun run = new NodeRun();
        run.id = 7L;
        run.rolloutId = 1;
        run.nodeName = NODE.name();
        run.state = state;
        run.direction = Direction.FORWARD;
        run.nextAttemptAt = Instant.EPOCH;
        run.version = version;
        run.facts = new NodeRun.NodeSnapshot("10.0.0.1", 22, "root", Map.of(), "nvidia", "H100", 8, true, true);
        return run;
    }

    static HeldViews.Held held(long epoch) {
        return new HeldViews.Held(epoch, List.of(7L), Map.of(7L, NODE), List.of(NODE));
    }

    @Test
    void aReloadThatReadBeforeACommitDoesNotUndoIt() {
        HeldViews views = new HeldViews();
        views.load(1, held(5), List.of(entry(2, NodeState.CORDONING)));
        views.committed(committed(3, NodeState.UPGRADING));
        views.load(1, held(5), List.of(entry(2, NodeState.CORDONING)));

        assertThat(views.current(1, 5).orElseThrow().views()).extracting(NodeRunView::state).containsExactly(NodeState.UPGRADING);
        views.committed(committed(2, NodeState.CORDONING));
        assertThat(views.current(1, 5).orElseThrow().views()).as("an older commit answer arriving late").extracting(NodeRunView::state)
                .containsExactly(NodeState.UPGRADING);
    }

    @Test
    void aNewEpochOrAStaleMarkReadsItAgainAndEndedRolloutsAreForgotten() {
        HeldViews views = new HeldViews();
        views.load(1, held(5), List.of(entry(2, NodeState.CORDONING)));
        assertThat(views.current(1, 5)).isPresent();
        assertThat(views.current(1, 6)).as("the lease was taken again: someone else may have written").isEmpty();

        views.staleAll();
        assertThat(views.current(1, 5)).as("the engine tick reads it again").isEmpty();
        views.load(1, held(6), List.of(entry(4, NodeState.VALIDATING)));
        assertThat(views.current(1, 6).orElseThrow().views()).extracting(NodeRunView::state).containsExactly(NodeState.VALIDATING);

        views.retain(List.of(2L));
        assertThat(views.earlier(1)).isEmpty();
    }
}
