package io.waveline.rollout;

import static io.waveline.rollout.RolloutDeciderTest.NOW;
import static io.waveline.rollout.RolloutDeciderTest.facts;
import static io.waveline.rollout.RolloutDeciderTest.snapshot;
import static io.waveline.rollout.RolloutDeciderTest.wave;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.waveline.plan.FailurePolicy.OnFailure;
import io.waveline.rollout.RolloutSnapshot.NodeRunView;
import io.waveline.rollout.RolloutSnapshot.WaveView;

/**
 * The engine wakes when a node's next poll or a soak is due ({@link RolloutDecider#nextDue}, {@link DueWakeups}),
 * not at its next tick: a poll every 0.25 s is a poll every 0.25 s, and a wave moves on when its soak ends.
 */
class DueWakeupsTest {

    static NodeRunView polling(long id, NodeState state, Instant next) {
        return new NodeRunView(id, 0, facts("n" + id, "r" + id), state, Direction.FORWARD, false, Optional.empty(), Optional.empty(), next);
    }

    @Test
    void theNextDueTimeIsTheEarliestPollOfAWorkingNodeOrTheSoakEnd() {
        RolloutSnapshot running = snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(new WaveView(wave("all", Duration.ZERO,
                false, null), List.of(polling(1, NodeState.UPGRADING, NOW.plusMillis(900)), polling(2, NodeState.REBOOTING,
                        NOW.plusMillis(250)), polling(3, NodeState.SUCCEEDED, NOW.plusMillis(10)), polling(4, NodeState.VALIDATING,
                                NOW.minusMillis(5))))), 4, OnFailure.HALT, 0);
        assertThat(RolloutDecider.nextDue(running, NOW)).as("node 2's poll; node 4 is due now (stepped at once), node 3 is done")
                .contains(NOW.plusMillis(250));

        // the snapshot's phase began 60 s ago: a 90 s soak ends in 30 s
        RolloutSnapshot soaking = snapshot(RolloutState.RUNNING, WavePhase.SOAKING, 0, List.of(new WaveView(wave("canary",
                Duration.ofSeconds(90), false, null), List.of(polling(1, NodeState.SUCCEEDED, NOW)))), 4, OnFailure.HALT, 0);
        assertThat(RolloutDecider.nextDue(soaking, NOW)).contains(NOW.plusSeconds(30));

        RolloutSnapshot paused = snapshot(RolloutState.PAUSED, WavePhase.SOAKING, 0, soaking.waves(), 4, OnFailure.HALT, 0);
        assertThat(RolloutDecider.nextDue(paused, NOW)).as("a paused soak waits for resume, a command").isEmpty();
        RolloutSnapshot done = snapshot(RolloutState.SUCCEEDED, WavePhase.SOAKING, 0, running.waves(), 4, OnFailure.HALT, 0);
        assertThat(RolloutDecider.nextDue(done, NOW)).isEmpty();
    }

    @Test
    void theTimerWakesOnceAtTheEarliestTimeAskedForAndLeavesLaterOnesToTheTick() {
        AtomicInteger wakes = new AtomicInteger();
        DueWakeups timer = new DueWakeups(Duration.ofSeconds(5), wakes::incrementAndGet);
        try {
            Instant now = Instant.now();
            timer.wakeAt(now.plusSeconds(4), now);
            timer.wakeAt(now.plusMillis(50), now);
            timer.wakeAt(now.plusMillis(3000), now);
            await().atMost(Duration.ofSeconds(2)).until(() -> wakes.get() == 1);
            timer.wakeAt(now.plusSeconds(60), Instant.now());
            timer.wakeAt(Instant.now().minusSeconds(1), Instant.now());
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(1)).until(() -> wakes.get() == 1);
        } finally {
            timer.stop();
        }
    }
}
