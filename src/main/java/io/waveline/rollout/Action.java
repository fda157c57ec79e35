package io.waveline.rollout;

import java.util.List;

/** What {@link RolloutDecider} asks the engine to do. Each is applied with its event in one transaction. */
public sealed interface Action {

    /** PENDING → CORDONING: the node goes out of service now. */
    record StartNode(long nodeRunId) implements Action {
    }

    /** A node waiting in BURN_IN may run its heavy checks now: its rack's power budget allows it. */
    record AdmitBurnIn(long nodeRunId, String reason) implements Action {
    }

    /** Run the wave-level checks of a wave (I/O, on a worker): after it settled, or at the end of its soak. */
    record CheckWave(int wave, WaveStage stage) implements Action {
    }

    enum WaveStage {
        AFTER_WAVE, END_OF_SOAK;

        /** When the check ran, in words ({@code after wave canary}), as verdicts and events say it. */
        public String when(String wave) {
            return this == AFTER_WAVE ? "after wave " + wave : "at the end of the soak of wave " + wave;
        }
    }

    /**
     * Pending nodes of the running wave next in line to start, in the order they would: their GPU baseline may be read
     * now, ahead of their start (I/O, on a worker; nothing is committed).
     */
    record LookAhead(List<Long> nodeRunIds) implements Action {
    }

    /** Run the node's current step (I/O, on a worker). */
    record StepNode(long nodeRunId) implements Action {
    }

    /** A settled node (SUCCEEDED or FAILED) marked for rollback starts rolling back now. */
    record StartRollback(long nodeRunId) implements Action {
    }

    /** Mark nodes to roll back to their previous versions. */
    record MarkForRollback(List<Long> nodeRunIds, String reason) implements Action {
    }

    /** Nodes that never started will not start. */
    record Skip(List<Long> nodeRunIds, String reason) implements Action {
    }

    /** The current wave's failures are over its budget: stop starting nodes. */
    record Halt(String reason) implements Action {
    }

    record EnterPhase(int wave, WavePhase phase, String reason) implements Action {
    }

    record Finish(RolloutState state, String reason) implements Action {
    }

    record BeginRollingBack(String reason) implements Action {
    }
}
