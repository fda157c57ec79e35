package io.waveline.rollout.port;

import java.util.List;
import java.util.Optional;

import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;

/**
 * The GPU health checks of one node. Checks parse real tool output with pure parsers and never throw on garbage:
 * unreadable output is an ERROR outcome. A node that does not answer is transient and surfaces as
 * {@link NodeUnreachableException}.
 */
public interface HealthCheck {

    /** The node's GPUs before it is touched, to compare with after the upgrade. */
    GpuBaseline baseline(NodeAddress node) throws NodeUnreachableException;

    /** The basic checks, then (when they pass) the light checks the context requests; heavy ones are left out. */
    List<CheckOutcome> run(NodeAddress node, CheckContext context) throws NodeUnreachableException;

    /** The light checks the context requests beyond the basic ones (heavy ones are left out), in order. */
    List<CheckOutcome> runRequested(NodeAddress node, CheckContext context) throws NodeUnreachableException;

    /** One light check of the catalog. */
    CheckOutcome runOne(NodeAddress node, CheckRequest request, CheckContext context) throws NodeUnreachableException;

    /**
     * One NCCL all-reduce across several nodes, launched from {@code launcher} with {@code gpusPerNode} ranks on each
     * of {@code hosts}; judged like {@code nccl-allreduce}.
     */
    CheckOutcome ncclAcross(NodeAddress launcher, List<String> hosts, int gpusPerNode, String size, double minBusBandwidthGBps,
            java.time.Duration timeout) throws NodeUnreachableException;

    /** Starts a heavy check detached under {@code jobId} (nothing happens if that job exists). */
    void startHeavy(NodeAddress node, String jobId, CheckRequest request, CheckContext context) throws NodeUnreachableException;

    /** The heavy check's verdict once its job is done; empty while it runs. */
    Optional<CheckOutcome> pollHeavy(NodeAddress node, String jobId, CheckRequest request, CheckContext context)
            throws NodeUnreachableException;
}
