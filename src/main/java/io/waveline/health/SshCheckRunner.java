package io.waveline.health;

import java.time.Duration;

import io.waveline.ssh.CommandResult;
import io.waveline.ssh.DetachedJob;
import io.waveline.ssh.JobStatus;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import io.waveline.ssh.RemoteShell;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Runs checks over the node's SSH connection; long ones as {@link DetachedJob}s. */
@ApplicationScoped
public class SshCheckRunner implements CheckRunner {

    public static final String KIND = "ssh";

    private static final Duration QUICK = Duration.ofSeconds(30);
    /** Enough for a DCGM level 4 JSON report of 8 GPUs; the output is bounded by {@link CommandResult} too. */
    private static final int OUTPUT_BYTES = CommandResult.MAX_OUTPUT_CHARS - 1024;

    @Inject
    RemoteShell shell;

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
        return shell.run(node, command, timeout);
    }

    @Override
    public void start(NodeAddress node, String jobId, String command) throws NodeUnreachableException {
        CommandResult started = shell.run(node, DetachedJob.start(jobId, command), QUICK);
        if (!started.ok()) {
            throw new NodeUnreachableException("cannot start " + jobId + " on " + node.name() + " (exit "
                    + started.exitStatus() + "): " + started.output().trim());
        }
    }

    @Override
    public JobStatus poll(NodeAddress node, String jobId) throws NodeUnreachableException {
        return DetachedJob.parseStatus(shell.run(node, DetachedJob.status(jobId, OUTPUT_BYTES), QUICK).output());
    }
}
