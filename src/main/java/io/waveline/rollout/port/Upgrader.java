package io.waveline.rollout.port;

import io.waveline.plan.MethodSettings;
import io.waveline.plan.MethodSpec.Method;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;

/**
 * Moves a node's components to given versions. Long work runs detached on the node under a job id and is
 * polled, so a restart of Waveline finds the job instead of starting it twice. Every call first looks at the
 * real state and is safe to repeat. Every call gets the plan's method settings frozen with the node run
 * ({@code settings}: the redfish method's credentials and TLS, the ssh method's sudo, …); a method that needs none
 * ignores them.
 */
public interface Upgrader {

    /** The plan's method this adapter carries out ({@link UpgradeMethods} is keyed by it). */
    Method method();

    /**
     * Where the GPU checks' commands run for this method's nodes: {@link CheckRunner#SSH} over SSH (the node's
     * baseline is read there too), or {@link CheckRunner#POD} in a pod pinned to the node.
     */
    default String checkRunner() {
        return CheckRunner.SSH;
    }

    /**
     * The method's own proof, after the reset, that the install took (the BMC's or the host tools' firmware versions,
     * the driver pod's version); empty when the GPU checks are proof enough.
     */
    default Optional<CheckOutcome> verify(NodeAddress node, Map<String, String> wanted, MethodSettings settings)
            throws NodeUnreachableException {
        return Optional.empty();
    }

    /** How the install is named in the timeline ({@code apt}, {@code nvfwupd and mlxfwmanager}, {@code redfish}). */
    default String installer(Map<String, String> versions, MethodSettings settings) {
        return method().word();
    }

    /** What changes when the node has been reset (the kernel's boot id, a driver pod's uid). */
    String bootId(NodeAddress node, MethodSettings settings) throws NodeUnreachableException;

    /**
     * The boot id as {@link #bootId}, but while it is still {@code before} (a reboot was asked for and the node has not
     * gone down yet) it is waited for on the node, up to {@code wait}. Methods that cannot wait answer at once.
     */
    default String awaitBootId(NodeAddress node, MethodSettings settings, String before, Duration wait)
            throws NodeUnreachableException {
        return bootId(node, settings);
    }

    /** Installed versions of the components Waveline manages (component → version). */
    Map<String, String> installedVersions(NodeAddress node, MethodSettings settings)
            throws NodeUnreachableException;

    /**
     * Starts the install of {@code versions} under {@code jobId}, unless a job with that id exists already. Answers a
     * handle the engine stores with the node run and gives back to {@link #job}, so a job that lives elsewhere than in
     * a job file (a BMC's update task) is found again after a restart; null when the job id is enough.
     */
    String startInstall(NodeAddress node, String jobId, Map<String, String> versions,
            MethodSettings settings) throws NodeUnreachableException;

    /**
     * The install job's state; {@code handle}: what {@link #startInstall} answered (null before it ran);
     * {@code versions}: what it installs (a method without job files looks at those).
     */
    JobStatus job(NodeAddress node, String jobId, String handle, Map<String, String> versions, MethodSettings settings)
            throws NodeUnreachableException;

    /**
     * The install job's state as {@link #job}, but a job still running is waited for on the node, up to {@code wait}:
     * the answer comes when the job ends (within the node's own check interval) instead of at the engine's next
     * poll. Methods that cannot wait on the node answer at once, as {@link #job}.
     */
    default JobStatus awaitJob(NodeAddress node, String jobId, String handle, Map<String, String> versions,
            MethodSettings settings, Duration wait) throws NodeUnreachableException {
        return job(node, jobId, handle, versions, settings);
    }

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
    default List<Reset> resets(Map<String, String> versions, MethodSettings settings, Duration rebootTimeout) {
        return List.of(new Reset("reboot", "rebooting to load the driver", rebootTimeout));
    }

    /** Asks for one of {@link #resets}. */
    void reset(NodeAddress node, Reset reset, MethodSettings settings) throws NodeUnreachableException;

    /**
     * How long the node may not answer after a reset or while its install runs, without that counting as a failed
     * attempt (a BMC restarting to activate its own firmware takes minutes). Zero: every unanswered call counts.
     */
    default Duration awayAllowance(MethodSettings settings) {
        return Duration.ZERO;
    }
}
