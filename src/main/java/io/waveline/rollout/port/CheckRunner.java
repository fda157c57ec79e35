package io.waveline.rollout.port;

import java.time.Duration;

import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;

/**
 * Where the checks' commands run. The checks build the commands and parse what comes back; a runner only carries
 * them to the node: over SSH on bare metal ({@link #SSH}), or, for Kubernetes, in a pod pinned to the node
 * and requesting its GPUs. Long commands run detached under a job id and are polled.
 */
public interface CheckRunner {

    /** The kind of the runner over SSH. */
    String SSH = "ssh";
    /** The kind of the runner in a pod pinned to a Kubernetes node. */
    String POD = "pod";

    /** Which runner this is: {@code ssh}, {@code pod}. */
    String kind();

    CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException;

    /** Starts {@code command} detached under {@code jobId}, unless a job with that id exists already. */
    void start(NodeAddress node, String jobId, String command) throws NodeUnreachableException;

    JobStatus poll(NodeAddress node, String jobId) throws NodeUnreachableException;

    /**
     * Whether several commands may run on one node at once: over SSH each is a channel of the node's connection; a
     * check pod takes all of the node's GPUs, so pods run one after the other.
     */
    default boolean concurrent() {
        return true;
    }
}
