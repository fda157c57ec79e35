package io.waveline.upgrade;

import java.util.Map;

import io.waveline.ssh.JobStatus;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;

/**
 * Moves a node's components to given versions. Long work runs detached on the node under a job id and is
 * polled, so a restart of Waveline finds the job instead of starting it twice. Every call first looks at the
 * real state and is safe to repeat.
 */
public interface Upgrader {

    String bootId(NodeAddress node) throws NodeUnreachableException;

    /** Installed versions of the components Waveline manages (component → version). */
    Map<String, String> installedVersions(NodeAddress node, PackageManager manager) throws NodeUnreachableException;

    /** Starts the install of {@code versions} under {@code jobId}, unless a job with that id exists already. */
    void startInstall(NodeAddress node, PackageManager manager, String jobId, Map<String, String> versions)
            throws NodeUnreachableException;

    /** Starts the install with the plan's method settings at hand (the redfish method's image URI); most methods ignore them. */
    default void startInstall(NodeAddress node, PackageManager manager, String jobId, Map<String, String> versions,
            Map<String, String> settings) throws NodeUnreachableException {
        startInstall(node, manager, jobId, versions);
    }

    /** The install job's state; {@code versions}: what it installs (a method without job files looks at those). */
    JobStatus job(NodeAddress node, String jobId, Map<String, String> versions) throws NodeUnreachableException;

    void reboot(NodeAddress node) throws NodeUnreachableException;
}
