package io.waveline.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.waveline.plan.FailurePolicy;
import io.waveline.plan.NodeFacts;
import io.waveline.plan.StartGate;
import io.waveline.plan.WaveSpec;

/** What the decider sees of one rollout: plain values read from the database in one transaction. */
public record RolloutSnapshot(long id, RolloutState state, int currentWave, WavePhase phase, Instant phaseSince,
        boolean abortRequested, Optional<String> haltReason, List<WaveView> waves, StartGate gate,
        FailurePolicy policy, boolean waveXidScan) {

    public RolloutSnapshot(long id, RolloutState state, int currentWave, WavePhase phase, Instant phaseSince,
            boolean abortRequested, Optional<String> haltReason, List<WaveView> waves, StartGate gate, FailurePolicy policy) {
        this(id, state, currentWave, phase, phaseSince, abortRequested, haltReason, waves, gate, policy, false);
    }

    /** One wave: its nodes, and whether its wave-level checks ran after it settled and at the end of its soak. */
    public record WaveView(WaveSpec spec, List<NodeRunView> nodes, boolean checkedAfterWave, boolean checkedAfterSoak) {

        public WaveView(WaveSpec spec, List<NodeRunView> nodes) {
            this(spec, nodes, false, false);
        }
    }

    public record NodeRunView(long id, int wave, NodeFacts node, NodeState state, Direction direction,
            boolean rollbackPending, Optional<FailureClass> failure, Optional<String> failureSignature,
            Instant nextAttemptAt, boolean burnInAdmitted) {

        public NodeRunView(long id, int wave, NodeFacts node, NodeState state, Direction direction, boolean rollbackPending,
                Optional<FailureClass> failure, Optional<String> failureSignature, Instant nextAttemptAt) {
            this(id, wave, node, state, direction, rollbackPending, failure, failureSignature, nextAttemptAt, false);
        }

        /** In BURN_IN, waiting for the rack's power budget: not stepped until admitted. */
        public boolean waitingForPower() {
            return state == NodeState.BURN_IN && !burnInAdmitted;
        }

        public boolean underBurnIn() {
            return state == NodeState.BURN_IN && burnInAdmitted;
        }
    }

    public List<NodeRunView> allNodes() {
        return waves.stream().flatMap(w -> w.nodes().stream()).toList();
    }
}
