package io.waveline.rollout.port;

import java.time.Duration;

/**
 * Runs one command on a node and answers its exit status and output. Commands are built by Waveline from
 * templates and validated values only, never from raw user text. Adapters: sshj over SSH, and the simulated
 * fleet in-process (for the benchmark).
 */
public interface RemoteShell {

    CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException;

    /**
     * A node that will be worked on soon: open what its first command needs (an SSH connection) in the background, so
     * that the node does not wait for it once it is taken out of service. Never fails and never blocks; a node that
     * does not answer is reported by its first command. Nothing by default (a shell with nothing to open).
     */
    default void prepare(NodeAddress node) {
    }

    /** Whether {@link #prepare} opens anything: when not, the engine does not look up the nodes to prepare. */
    default boolean prepares() {
        return false;
    }
}
