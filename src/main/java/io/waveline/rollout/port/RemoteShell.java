package io.waveline.rollout.port;

import java.time.Duration;

/**
 * Runs one command on a node and answers its exit status and output. Commands are built by Waveline from
 * templates and validated values only, never from raw user text. Adapters: sshj over SSH, and the simulated
 * fleet in-process (for the benchmark).
 */
public interface RemoteShell {

    CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException;
}
