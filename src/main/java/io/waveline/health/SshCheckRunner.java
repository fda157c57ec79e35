package io.waveline.health;

import io.waveline.rollout.port.CheckRunner;
import java.time.Duration;

import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.DetachedJob;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.RemoteShell;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Runs checks over the node's SSH connection; long ones as {@link DetachedJob}s. */
@ApplicationScoped
public class SshCheckRunner implements CheckRunner {

    public static final String KIND = CheckRunner.SSH;

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
