package io.waveline.rollout.port;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.plan.LabelSelector;
import io.waveline.plan.MethodSettings;

/**
 * What the engine does to a node in its scheduler's eyes: take it out of service, wait for its jobs, drain it,
 * show Waveline's state on it, check it is ready again after the upgrade, and put it back. One adapter per
 * scheduler (Kubernetes today), and the bare-metal one for nodes that no scheduler holds, where there is nothing
 * to cordon or drain. Every call reads the real state first and is safe to repeat; a scheduler that does not
 * answer surfaces as {@link NodeUnreachableException} (transient, retried).
 */
public interface NodeOperations {

    /** Whether this adapter holds the node, by the labels the inventory gave it. */
    boolean manages(Map<String, String> labels);

    /** Whether nodes of this adapter can be drained and have jobs to wait for. */
    default boolean drains() {
        return true;
    }

    /** When to try again evictions a disruption budget refused. */
    default Duration evictionBackoff() {
        return Duration.ZERO;
    }

    /** What a cordon did: whether the node was out of service before (it stays so afterwards), the GPUs it offered. */
    record Cordon(boolean wasUnschedulable, Optional<Integer> allocatableGpus) {

        public static final Cordon NOTHING = new Cordon(false, Optional.empty());
    }

    Cordon cordon(String node, long rolloutId) throws NodeUnreachableException;

    /** Back in service (unless it was out of service before the rollout); {@code outcome} is shown on the node. */
    void uncordon(String node, String outcome) throws NodeUnreachableException;

    /** The training jobs still running on the node. */
    List<String> runningJobs(String node, LabelSelector jobs) throws NodeUnreachableException;

    /** One step of the drain, {@code elapsed} since it began. */
    DrainProgress drain(String node, DrainSpec spec, Duration elapsed) throws NodeUnreachableException;

    /** Shows Waveline's state (and why) on the node, for the scheduler's users. */
    void mirror(String node, long rolloutId, String state, Optional<String> reason) throws NodeUnreachableException;

    /**
     * The scheduler's view after the upgrade (node ready, GPUs offered again, the operator's validators done) and how
     * long to wait for it to pass; empty where the scheduler has nothing to say.
     */
    Optional<Readiness> afterUpgrade(String node, int baselineAllocatable, MethodSettings settings)
            throws NodeUnreachableException;

    record Readiness(CheckOutcome outcome, Duration patience) {
    }
}
