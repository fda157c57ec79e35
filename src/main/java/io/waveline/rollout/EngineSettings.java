package io.waveline.rollout;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How the engine paces itself. Every setting is documented in docs/configuration.md. */
@ConfigMapping(prefix = "waveline.engine")
public interface EngineSettings {

    /** How often the reconcile loop runs when nothing wakes it. */
    @WithDefault("1s")
    Duration tick();

    /** How often a running install or a reboot is polled. */
    @WithDefault("2s")
    Duration pollInterval();

    /** Threads that run node steps (SSH commands) at once. */
    @WithDefault("8")
    @jakarta.validation.constraints.Min(1)
    int workers();

    /**
     * Threads that run the steps of nodes waiting on their host: an install's end (waited for on the node, up to a
     * poll interval) and the return from a reboot (connections to a host that is down). They wait on the network,
     * not on the CPU, and are kept apart from {@link #workers()} so waiting nodes never hold up the others' steps.
     */
    @WithDefault("64")
    @jakarta.validation.constraints.Min(1)
    int waitWorkers();

    /** The most step decisions committed in one transaction. */
    @WithDefault("500")
    @jakarta.validation.constraints.Min(1)
    int commitBatch();

    /** Attempts of a step against an unreachable node before it counts as failed. */
    @WithDefault("5")
    @jakarta.validation.constraints.Min(1)
    int maxAttempts();

    /** First retry delay; it doubles with each attempt, up to a minute. */
    @WithDefault("2s")
    Duration retryBase();

    /** How long a node may take to come back from a reboot. */
    @WithDefault("15m")
    Duration rebootTimeout();

    /** How long an install (an apt/dnf job, or a new GPU Operator driver pod) may take before the node fails. */
    @WithDefault("30m")
    Duration installTimeout();

    /** How long a replica's claim on a rollout lasts without renewal. */
    @WithDefault("30s")
    Duration leaseTtl();

    /** Nodes the wave-level XID scan reads at once. */
    @WithDefault("16")
    @jakarta.validation.constraints.Min(1)
    int waveScanParallelism();

    /**
     * Pending nodes of the running wave whose GPU baseline is read ahead, while the nodes before them are out of
     * service (at most as many as work in the wave at the time); 0 reads every baseline at the node's start.
     */
    @WithDefault("32")
    @jakarta.validation.constraints.Min(0)
    int lookAhead();

    /** How old a baseline read ahead may be when its node starts; an older one is read again. */
    @WithDefault("2m")
    Duration lookAheadMaxAge();

    /** This replica's name in leases; replicas must differ (default: the host name). */
    java.util.Optional<String> replicaId();
}
