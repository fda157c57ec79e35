package io.waveline.upgrade;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.waveline.ssh.JobStatus;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;

/**
 * Moves a node's components to given versions. Long work runs detached on the node under a job id and is
 * polled, so a restart of Waveline finds the job instead of starting it twice. Every call first looks at the
 * real state and is safe to repeat. Every call gets the plan's method settings frozen with the node run
 * ({@code settings}: the redfish method's credentials and TLS, the ssh method's sudo, …); a method that needs none
 * ignores them.
 */
public interface Upgrader {

    /** What changes when the node has been reset (the kernel's boot id, a driver pod's uid). */
    String bootId(NodeAddress node, Map<String, String> settings) throws NodeUnreachableException;

    /** Installed versions of the components Waveline manages (component → version). */
    Map<String, String> installedVersions(NodeAddress node, PackageManager manager, Map<String, String> settings)
            throws NodeUnreachableException;

    /**
     * Starts the install of {@code versions} under {@code jobId}, unless a job with that id exists already. Answers a
     * handle the engine stores with the node run and gives back to {@link #job}, so a job that lives elsewhere than in
     * a job file (a BMC's update task) is found again after a restart; null when the job id is enough.
     */
    String startInstall(NodeAddress node, PackageManager manager, String jobId, Map<String, String> versions,
            Map<String, String> settings) throws NodeUnreachableException;

    /**
     * The install job's state; {@code handle}: what {@link #startInstall} answered (null before it ran);
     * {@code versions}: what it installs (a method without job files looks at those).
     */
    JobStatus job(NodeAddress node, String jobId, String handle, Map<String, String> versions, Map<String, String> settings)
            throws NodeUnreachableException;

    /**
     * One way to reset a node so an install takes effect. When it shows no new boot id within {@code patience}, the next
     * reset of the method's list is asked for; after the last one the node fails ({@code reboot-timeout}).
     */
    record Reset(String type, String description, Duration patience) {
    }

    /**
     * The resets that make {@code versions} active, in order of escalation; empty when none is needed.
     * {@code rebootTimeout}: how long a node may take to come back ({@code waveline.engine.reboot-timeout}).
     */
    default List<Reset> resets(Map<String, String> versions, Map<String, String> settings, Duration rebootTimeout) {
        return List.of(new Reset("reboot", "rebooting to load the driver", rebootTimeout));
    }

    /** Asks for one of {@link #resets}. */
    void reset(NodeAddress node, Reset reset, Map<String, String> settings) throws NodeUnreachableException;

    /**
     * How long the node may not answer after a reset or while its install runs, without that counting as a failed
     * attempt (a BMC restarting to activate its own firmware takes minutes). Zero: every unanswered call counts.
     */
    default Duration awayAllowance(Map<String, String> settings) {
        return Duration.ZERO;
    }
}
