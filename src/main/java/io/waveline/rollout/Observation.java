package io.waveline.rollout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.DrainProgress;
import io.waveline.rollout.port.GpuBaseline;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeOperations;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.Upgrader;

/**
 * What the engine saw or was told about one node, for {@link NodePipeline#decide}: one kind per step, the
 * commands and checks of the rollout, and the typed failures of a step.
 */
public sealed interface Observation {

    /** What the node answered in a step: the step worked, so its attempts start again from nothing. */
    sealed interface Answered extends Observation {
    }

    // --- from the rollout's decider and commands

    /** PENDING: the decider lets the node start. */
    record Start() implements Observation {
    }

    /** A settled node marked for rollback goes back now. */
    record StartRollback() implements Observation {
    }

    /** A node that never started will not start. */
    record Skip(String reason) implements Observation {
    }

    /** BURN_IN: the rack's power budget lets the node's heavy checks run. */
    record AdmitBurnIn(String reason) implements Observation {
    }

    /** A succeeded node's XID scan after its wave or at the end of the soak ({@code when} says which). */
    record WaveXid(CheckOutcome outcome, String when) implements Observation {
    }

    // --- from a step on the node

    /**
     * CORDONING: the first look at the node (only while it has no baseline boot id yet: its installed versions, GPUs
     * and boot id), and what the cordon did; {@code drains}: whether its scheduler drains nodes.
     */
    record Cordoned(Optional<FirstLook> firstLook, NodeOperations.Cordon cordon, boolean drains) implements Answered {
    }

    /** {@code baselineAhead}: how long before the look the GPU baseline was read, where it was read ahead ({@link BaselinesAhead}). */
    record FirstLook(Map<String, String> installed, GpuBaseline baseline, String bootId, Optional<Duration> baselineAhead) {
        FirstLook(Map<String, String> installed, GpuBaseline baseline, String bootId) {
            this(installed, baseline, bootId, Optional.empty());
        }
    }

    /** WAITING_FOR_JOBS: the training jobs still on the node. */
    record Jobs(List<String> running) implements Answered {
    }

    /** DRAINING: one step of the drain; {@code evictionBackoff}: when to try evictions a budget refused again. */
    record Drained(DrainProgress progress, Duration evictionBackoff) implements Answered {
    }

    /**
     * UPGRADING / ROLLING_BACK: the state of the job this run started ({@code ours}, NOT_FOUND when it started none),
     * then, when there is none, the installed versions and the job under this run's id ({@code fresh}, not asked when
     * everything is installed); {@code installer}: how the method installs, in words.
     */
    record Install(JobStatus ours, Optional<Map<String, String>> installed, Optional<JobStatus> fresh, String installer)
            implements Answered {
    }

    /** REBOOTING: the method's resets (empty: none needed) and the boot id now (empty: the node does not answer). */
    record Boot(List<Upgrader.Reset> resets, Optional<String> bootId) implements Answered {
    }

    /** VALIDATING: the scheduler's readiness is not there yet ({@link NodePipeline#awaitsReadiness}). */
    record Unready(NodeOperations.Readiness readiness) implements Answered {
    }

    /** VALIDATING: the checks' outcomes, in the order they ran. */
    record Checked(List<CheckOutcome> outcomes) implements Answered {
    }

    /**
     * BURN_IN: the current heavy check was not started under this run's job id yet ({@code outcome} empty), or was
     * polled ({@code polled}: its outcome when done, empty while it runs).
     */
    record Heavy(boolean started, Optional<CheckOutcome> outcome) implements Answered {
    }

    /** UNCORDONING: ready to go back into service. */
    record Settle() implements Answered {
    }

    /**
     * A reset was sent to the node but its answer did not come back ({@link io.waveline.rollout.port.AnswerLostException}):
     * the host may be going down already.
     */
    record ResetUnanswered(NodeUnreachableException failure) implements Observation {
    }

    /** The node did not answer; {@code awayAllowance}: how long its method lets it be silent after a reset or while it installs. */
    record Unreachable(NodeUnreachableException failure, Duration awayAllowance) implements Observation {
    }

    /** The step failed with an exception nobody expected: a bug, never a network blip. */
    record Crashed(RuntimeException failure) implements Observation {
    }
}
