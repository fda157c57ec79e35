package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.waveline.plan.FailurePolicy;
import io.waveline.plan.FailurePolicy.OnFailure;
import io.waveline.plan.Limits;
import io.waveline.plan.NodeFacts;
import io.waveline.plan.Quantity;
import io.waveline.plan.SourcePosition;
import io.waveline.plan.StartGate;
import io.waveline.plan.WaveSize;
import io.waveline.plan.WaveSpec;
import io.waveline.rollout.RolloutSnapshot.NodeRunView;
import io.waveline.rollout.RolloutSnapshot.WaveView;

/** The engine's decisions on plain snapshots: no database, no nodes. */
class RolloutDeciderTest {

    static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    static NodeFacts facts(String name, String rack) {
        return new NodeFacts(name, Map.of("rack", rack), "nvidia", "H100", 8, true, Map.of(), true);
    }

    static NodeRunView node(long id, int wave, String rack, NodeState state) {
        return new NodeRunView(id, wave, facts("n" + id, rack), state, Direction.FORWARD, false, Optional.empty(),
                Optional.empty(), NOW);
    }

    static NodeRunView failed(long id, int wave, FailureClass cause) {
        return new NodeRunView(id, wave, facts("n" + id, "r" + id), cause == FailureClass.HARDWARE
                ? NodeState.QUARANTINED : NodeState.FAILED, Direction.FORWARD, false, Optional.of(cause),
                Optional.of(cause == FailureClass.HARDWARE ? "reboot-timeout" : "gpu-inventory"), NOW);
    }

    static WaveSpec wave(String name, Duration soak, boolean approval, Integer maxParallel) {
        return new WaveSpec(name, new WaveSize.Rest(), soak, approval, Optional.ofNullable(maxParallel),
                SourcePosition.UNKNOWN, "spec.waves[0]");
    }

    static RolloutSnapshot snapshot(RolloutState state, WavePhase phase, int currentWave, List<WaveView> waves,
            int maxUnavailable, OnFailure onFailure, int budget) {
        List<NodeFacts> pool = new ArrayList<>();
        waves.forEach(w -> w.nodes().forEach(n -> pool.add(n.node())));
        Limits limits = new Limits(Quantity.count(maxUnavailable), List.of(), List.of());
        return new RolloutSnapshot(1, state, currentWave, phase, NOW.minusSeconds(60), false, Optional.empty(), waves,
                new StartGate(limits, pool), new FailurePolicy(Quantity.count(budget), onFailure, true, 1));
    }

    static <T extends Action> List<T> of(List<Action> actions, Class<T> type) {
        return actions.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static RolloutSnapshot halted(RolloutState state, List<NodeRunView> nodes) {
        RolloutSnapshot s = snapshot(state, WavePhase.RUNNING, 0, List.of(new WaveView(wave("canary", Duration.ZERO, false, null), nodes)),
                5, OnFailure.ROLLBACK_WAVE, 0);
        return new RolloutSnapshot(s.id(), s.state(), s.currentWave(), s.phase(), s.phaseSince(), false, Optional.of("canary failed"),
                s.waves(), s.gate(), s.policy());
    }

    static NodeRunView going(long id, NodeState state, Direction direction, boolean rollbackPending) {
        return new NodeRunView(id, 0, facts("n" + id, "r" + id), state, direction, rollbackPending, Optional.empty(), Optional.empty(), NOW);
    }

    /**
     * A halted wave whose nodes go back shows the rollout as ROLLING_BACK from its first rollback on, not RUNNING until
     * the forward work ends; a node of the wave still on its way forward then goes back too once it finishes.
     */
    @Test
    void aHaltedWaveRollingBackShowsRollingBack() {
        List<Action> first = RolloutDecider.decide(halted(RolloutState.RUNNING, List.of(going(1, NodeState.ROLLING_BACK,
                Direction.ROLLBACK, false), going(2, NodeState.VALIDATING, Direction.FORWARD, false))), NOW);
        assertThat(of(first, Action.BeginRollingBack.class)).singleElement().extracting(Action.BeginRollingBack::reason)
                .isEqualTo("canary failed");
        assertThat(of(first, Action.StepNode.class)).extracting(Action.StepNode::nodeRunId).containsExactly(1L, 2L);

        List<Action> late = RolloutDecider.decide(halted(RolloutState.ROLLING_BACK, List.of(going(1, NodeState.ROLLED_BACK,
                Direction.ROLLBACK, false), going(2, NodeState.SUCCEEDED, Direction.FORWARD, false))), NOW);
        assertThat(of(late, Action.MarkForRollback.class)).singleElement().extracting(Action.MarkForRollback::nodeRunIds)
                .isEqualTo(List.of(2L));
        assertThat(of(late, Action.Finish.class)).isEmpty();

        List<Action> done = RolloutDecider.decide(halted(RolloutState.ROLLING_BACK, List.of(going(1, NodeState.ROLLED_BACK,
                Direction.ROLLBACK, false), going(2, NodeState.ROLLED_BACK, Direction.ROLLBACK, false))), NOW);
        assertThat(of(done, Action.Finish.class)).singleElement().extracting(Action.Finish::state).isEqualTo(RolloutState.ROLLED_BACK);
    }

    @Test
    void pendingNodesStartOnlyAsFarAsTheLimitsAllow() {
        WaveView wave = new WaveView(wave("all", Duration.ZERO, false, null), List.of(node(1, 0, "r1", NodeState.UPGRADING),
                node(2, 0, "r2", NodeState.PENDING), node(3, 0, "r3", NodeState.PENDING), node(4, 0, "r4", NodeState.PENDING)));
        List<Action> actions = RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(wave),
                3, OnFailure.ROLLBACK_WAVE, 0), NOW);
        assertThat(of(actions, Action.StartNode.class)).extracting(Action.StartNode::nodeRunId).containsExactly(2L, 3L);
        assertThat(of(actions, Action.StepNode.class)).extracting(Action.StepNode::nodeRunId).containsExactly(1L);
    }

    @Test
    void theNextNodesInLineAreNamedForTheirBaselinesAsManyAsWorkInTheWave() {
        WaveView wave = new WaveView(wave("all", Duration.ZERO, false, null), List.of(node(1, 0, "r1", NodeState.UPGRADING),
                node(2, 0, "r2", NodeState.PENDING), node(3, 0, "r3", NodeState.PENDING), node(4, 0, "r4", NodeState.PENDING),
                node(5, 0, "r5", NodeState.PENDING), node(6, 0, "r6", NodeState.SUCCEEDED)));
        List<Action> actions = RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(wave),
                2, OnFailure.ROLLBACK_WAVE, 0), NOW);
        assertThat(of(actions, Action.StartNode.class)).extracting(Action.StartNode::nodeRunId).containsExactly(2L);
        assertThat(of(actions, Action.LookAhead.class)).as("two work in the wave: the next two in wave order")
                .singleElement().extracting(Action.LookAhead::nodeRunIds).isEqualTo(List.of(3L, 4L));

        WaveView allStarted = new WaveView(wave("all", Duration.ZERO, false, null), List.of(node(1, 0, "r1", NodeState.UPGRADING),
                node(2, 0, "r2", NodeState.PENDING)));
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(allStarted), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW), Action.LookAhead.class)).as("no one left in line").isEmpty();
    }

    @Test
    void onceTheWaveHasStartedEveryNodeTheNextWavesFirstNodesAreNextInLine() {
        WaveView canary = new WaveView(wave("canary", Duration.ZERO, false, null), List.of(node(1, 0, "r1", NodeState.REBOOTING),
                node(2, 0, "r2", NodeState.VALIDATING), node(3, 0, "r3", NodeState.SUCCEEDED)));
        WaveView staged = new WaveView(wave("staged", Duration.ZERO, false, null), List.of(node(4, 1, "r4", NodeState.SKIPPED),
                node(5, 1, "r5", NodeState.PENDING), node(6, 1, "r6", NodeState.PENDING), node(7, 1, "r7", NodeState.PENDING)));
        List<Action> actions = RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(canary, staged),
                2, OnFailure.ROLLBACK_WAVE, 0), NOW);
        assertThat(of(actions, Action.StartNode.class)).as("the next wave does not start early").isEmpty();
        assertThat(of(actions, Action.LookAhead.class)).as("maxUnavailable 2: the next wave's first two pending nodes")
                .singleElement().extracting(Action.LookAhead::nodeRunIds).isEqualTo(List.of(5L, 6L));
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(canary, staged), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW), Action.LookAhead.class)).as("the next wave's whole first window, more than work now")
                .singleElement().extracting(Action.LookAhead::nodeRunIds).isEqualTo(List.of(5L, 6L, 7L));

        WaveView quarantined = new WaveView(canary.spec(), List.of(node(1, 0, "r1", NodeState.REBOOTING),
                node(2, 0, "r2", NodeState.VALIDATING), failed(3, 0, FailureClass.HARDWARE)));
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(quarantined, staged), 2,
                OnFailure.ROLLBACK_WAVE, 1), NOW), Action.LookAhead.class)).as("a quarantined node stays out of service: one slot left")
                .singleElement().extracting(Action.LookAhead::nodeRunIds).isEqualTo(List.of(5L));

        WaveView oneAtATime = new WaveView(wave("staged", Duration.ZERO, false, 1), staged.nodes());
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(canary, oneAtATime), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW), Action.LookAhead.class)).as("the next wave runs one node at a time")
                .singleElement().extracting(Action.LookAhead::nodeRunIds).isEqualTo(List.of(5L));

        WaveView soaked = new WaveView(wave("canary", Duration.ofMinutes(30), false, null), canary.nodes());
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(soaked, staged), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW), Action.LookAhead.class)).as("a soak comes between the waves").isEmpty();

        WaveView approved = new WaveView(wave("staged", Duration.ZERO, true, null), staged.nodes());
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(canary, approved), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW), Action.LookAhead.class)).as("the next wave waits for an approval").isEmpty();

        WaveView stillPending = new WaveView(canary.spec(), List.of(node(1, 0, "r1", NodeState.REBOOTING),
                node(2, 0, "r2", NodeState.VALIDATING), node(3, 0, "r3", NodeState.PENDING)));
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(stillPending, staged), 2,
                OnFailure.ROLLBACK_WAVE, 0), NOW), Action.LookAhead.class)).as("this wave's own node in line, not the next wave's")
                .singleElement().extracting(Action.LookAhead::nodeRunIds).isEqualTo(List.of(3L));
    }

    @Test
    void pausedRolloutStartsNothingButKeepsStepping() {
        WaveView wave = new WaveView(wave("all", Duration.ZERO, false, null), List.of(node(1, 0, "r1", NodeState.REBOOTING),
                node(2, 0, "r2", NodeState.PENDING)));
        List<Action> actions = RolloutDecider.decide(snapshot(RolloutState.PAUSED, WavePhase.RUNNING, 0, List.of(wave),
                5, OnFailure.ROLLBACK_WAVE, 0), NOW);
        assertThat(actions).containsExactly(new Action.StepNode(1));
    }

    @Test
    void failureOverTheBudgetHalts() {
        WaveView wave = new WaveView(wave("canary", Duration.ZERO, false, null), List.of(failed(1, 0, FailureClass.DRIVER),
                node(2, 0, "r2", NodeState.PENDING)));
        List<Action> actions = RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(wave),
                5, OnFailure.ROLLBACK_WAVE, 0), NOW);
        assertThat(of(actions, Action.Halt.class)).singleElement().satisfies(h -> assertThat(h.reason())
                .isEqualTo("1 node(s) of wave canary failed (n1), over its budget of 0; policy rollback-wave"));
        assertThat(of(actions, Action.StartNode.class)).isEmpty();
    }

    @Test
    void failureWithinTheBudgetRollsBackThatNodeAndTheWaveGoesOn() {
        WaveView wave = new WaveView(wave("all", Duration.ZERO, false, null), List.of(failed(1, 0, FailureClass.DRIVER),
                node(2, 0, "r2", NodeState.PENDING)));
        List<Action> actions = RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(wave),
                5, OnFailure.ROLLBACK_WAVE, 1), NOW);
        assertThat(of(actions, Action.MarkForRollback.class)).singleElement()
                .satisfies(m -> assertThat(m.nodeRunIds()).containsExactly(1L));
        assertThat(of(actions, Action.StartRollback.class)).extracting(Action.StartRollback::nodeRunId).containsExactly(1L);
        assertThat(of(actions, Action.StartNode.class)).extracting(Action.StartNode::nodeRunId).containsExactly(2L);
    }

    @Test
    void oneHardwareFaultQuarantinesButTheSameSignatureOnMoreNodesCounts() {
        WaveView one = new WaveView(wave("all", Duration.ZERO, false, null), List.of(failed(1, 0, FailureClass.HARDWARE),
                node(2, 0, "r2", NodeState.SUCCEEDED)));
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(one), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW), Action.Halt.class)).isEmpty();
        WaveView two = new WaveView(wave("all", Duration.ZERO, false, null), List.of(failed(1, 0, FailureClass.HARDWARE),
                failed(2, 0, FailureClass.HARDWARE)));
        assertThat(of(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(two), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW), Action.Halt.class)).singleElement()
                .satisfies(h -> assertThat(h.reason()).startsWith("2 node(s) of wave all failed"));
    }

    @Test
    void settledWaveSoaksThenTheNextWaitsForItsApproval() {
        WaveView first = new WaveView(wave("canary", Duration.ofMinutes(30), false, null),
                List.of(node(1, 0, "r1", NodeState.SUCCEEDED)));
        WaveView second = new WaveView(wave("rest", Duration.ZERO, true, null), List.of(node(2, 1, "r2", NodeState.PENDING)));
        assertThat(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0, List.of(first, second), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW)).containsExactly(new Action.EnterPhase(0, WavePhase.SOAKING,
                        "wave canary done; soaking 30m"));
        RolloutSnapshot soaking = snapshot(RolloutState.RUNNING, WavePhase.SOAKING, 0, List.of(first, second), 5,
                OnFailure.ROLLBACK_WAVE, 0);
        assertThat(RolloutDecider.decide(soaking, NOW)).as("soak not over (started a minute ago)").isEmpty();
        assertThat(RolloutDecider.decide(soaking, NOW.plus(Duration.ofMinutes(30))))
                .containsExactly(new Action.EnterPhase(1, WavePhase.AWAITING_APPROVAL, "soak of wave canary over"));
    }

    static RolloutSnapshot withWaveScan(RolloutSnapshot s) {
        return new RolloutSnapshot(s.id(), s.state(), s.currentWave(), s.phase(), s.phaseSince(), s.abortRequested(),
                s.haltReason(), s.waves(), s.gate(), s.policy(), true);
    }

    @Test
    void waveLevelChecksRunAfterTheWaveAndAtTheEndOfItsSoak() {
        List<NodeRunView> nodes = List.of(node(1, 0, "r1", NodeState.SUCCEEDED));
        WaveSpec canary = wave("canary", Duration.ofMinutes(30), false, null);
        WaveView rest = new WaveView(wave("rest", Duration.ZERO, false, null), List.of(node(2, 1, "r2", NodeState.PENDING)));
        RolloutSnapshot settled = withWaveScan(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0,
                List.of(new WaveView(canary, nodes), rest), 5, OnFailure.ROLLBACK_WAVE, 0));
        assertThat(RolloutDecider.decide(settled, NOW)).containsExactly(new Action.CheckWave(0, Action.WaveStage.AFTER_WAVE));
        RolloutSnapshot checked = withWaveScan(snapshot(RolloutState.RUNNING, WavePhase.RUNNING, 0,
                List.of(new WaveView(canary, nodes, true, false), rest), 5, OnFailure.ROLLBACK_WAVE, 0));
        assertThat(RolloutDecider.decide(checked, NOW)).containsExactly(new Action.EnterPhase(0, WavePhase.SOAKING,
                "wave canary done; soaking 30m"));
        RolloutSnapshot soaked = withWaveScan(snapshot(RolloutState.RUNNING, WavePhase.SOAKING, 0,
                List.of(new WaveView(canary, nodes, true, false), rest), 5, OnFailure.ROLLBACK_WAVE, 0));
        assertThat(RolloutDecider.decide(soaked, NOW)).as("soak not over").isEmpty();
        assertThat(RolloutDecider.decide(soaked, NOW.plus(Duration.ofMinutes(30))))
                .containsExactly(new Action.CheckWave(0, Action.WaveStage.END_OF_SOAK));
        RolloutSnapshot failedInSoak = withWaveScan(snapshot(RolloutState.RUNNING, WavePhase.SOAKING, 0,
                List.of(new WaveView(canary, List.of(failed(1, 0, FailureClass.DRIVER)), true, true), rest), 5,
                OnFailure.ROLLBACK_WAVE, 0));
        assertThat(of(RolloutDecider.decide(failedInSoak, NOW.plus(Duration.ofMinutes(30))), Action.Halt.class))
                .as("a failure found at the end of the soak counts against the wave").hasSize(1);
    }

    @Test
    void heavyChecksWaitForTheRacksPowerBudget() {
        io.waveline.plan.PowerBudget power = new io.waveline.plan.PowerBudget("rack", 20, 10, Map.of("L40S", 3.0));
        List<NodeFacts> pool = new ArrayList<>();
        List<NodeRunView> nodes = new ArrayList<>();
        for (long id = 1; id <= 4; id++) {
            NodeRunView n = new NodeRunView(id, 0, facts("n" + id, id <= 3 ? "r1" : "r2"), NodeState.BURN_IN, Direction.FORWARD,
                    false, Optional.empty(), Optional.empty(), NOW, id == 1);
            nodes.add(n);
            pool.add(n.node());
        }
        RolloutSnapshot s = new RolloutSnapshot(1, RolloutState.RUNNING, 0, WavePhase.RUNNING, NOW, false, Optional.empty(),
                List.of(new WaveView(wave("all", Duration.ZERO, false, null), nodes)),
                new StartGate(new Limits(Quantity.count(5), List.of(), List.of(), Optional.of(power)), pool), FailurePolicy.defaults());
        List<Action> actions = RolloutDecider.decide(s, NOW);
        assertThat(of(actions, Action.AdmitBurnIn.class)).extracting(Action.AdmitBurnIn::nodeRunId)
                .as("r1 has 10 of 20 kW in use: one more there, and n4 alone in r2").containsExactly(2L, 4L);
        assertThat(of(actions, Action.StepNode.class)).extracting(Action.StepNode::nodeRunId)
                .as("only admitted nodes are stepped").containsExactly(1L);
        assertThat(power.blocker(facts("n3", "r1"), List.of(facts("n1", "r1"), facts("n2", "r1"))))
                .contains("rack=r1 draws 20 kW under burn-in; 10 kW more would pass its budget of 20 kW");
    }

    @Test
    void lastWaveSoakedMeansSucceeded() {
        WaveView only = new WaveView(wave("all", Duration.ZERO, false, null), List.of(node(1, 0, "r1", NodeState.SUCCEEDED)));
        assertThat(RolloutDecider.decide(snapshot(RolloutState.RUNNING, WavePhase.SOAKING, 0, List.of(only), 5,
                OnFailure.ROLLBACK_WAVE, 0), NOW)).containsExactly(new Action.Finish(RolloutState.SUCCEEDED, "every wave done"));
    }

    @Test
    void haltWithRollbackWaveRollsBackTheWaveOnceNothingWorks() {
        WaveView wave = new WaveView(wave("staged", Duration.ZERO, false, null), List.of(node(1, 0, "r1", NodeState.SUCCEEDED),
                new NodeRunView(2, 0, facts("n2", "r2"), NodeState.ROLLED_BACK, Direction.ROLLBACK, false,
                        Optional.of(FailureClass.DRIVER), Optional.of("gpu-inventory"), NOW)));
        RolloutSnapshot halted = new RolloutSnapshot(1, RolloutState.RUNNING, 0, WavePhase.RUNNING, NOW, false,
                Optional.of("over budget"), List.of(wave), new StartGate(new Limits(Quantity.count(5), List.of(), List.of()),
                        List.of(facts("n1", "r1"), facts("n2", "r2"))), FailurePolicy.defaults());
        assertThat(RolloutDecider.decide(halted, NOW)).containsExactly(new Action.BeginRollingBack("over budget"));
        assertThat(RolloutDecider.rollbackScope(halted)).containsExactly(1L);
    }

    @Test
    void abortSkipsPendingNodesAndEndsWhenStartedOnesFinish() {
        WaveView wave = new WaveView(wave("all", Duration.ZERO, false, null), List.of(node(1, 0, "r1", NodeState.VALIDATING),
                node(2, 0, "r2", NodeState.PENDING)));
        RolloutSnapshot aborting = new RolloutSnapshot(1, RolloutState.RUNNING, 0, WavePhase.RUNNING, NOW, true,
                Optional.empty(), List.of(wave), new StartGate(new Limits(Quantity.count(5), List.of(), List.of()),
                        List.of(facts("n1", "r1"), facts("n2", "r2"))), FailurePolicy.defaults());
        List<Action> actions = RolloutDecider.decide(aborting, NOW);
        assertThat(actions).contains(new Action.StepNode(1), new Action.Skip(List.of(2L), "the rollout was aborted"));
        assertThat(of(actions, Action.Finish.class)).isEmpty();
    }
}
