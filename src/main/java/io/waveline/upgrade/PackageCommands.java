package io.waveline.upgrade;

import java.util.Map;
import io.waveline.rollout.port.DetachedJob;
import io.waveline.rollout.port.JobStatus;


/**
 * The shell commands of the {@code ssh} method that do not depend on the distribution: the detached job that runs
 * an install ({@link DetachedJob}), its status, the boot id and the reboot. The install itself comes from {@link PackageManager}.
 */
public final class PackageCommands {

    public static final String JOBS_DIR = DetachedJob.JOBS_DIR;

    private PackageCommands() {
    }

    public static String bootId() {
        return "cat /proc/sys/kernel/random/boot_id";
    }

    public static String install(PackageManager manager, String jobId, Map<String, String> versions) {
        return detached(jobId, manager.installWork(versions));
    }

    public static String install(String template, PackageManager manager, String jobId, Map<String, String> versions) {
        return detached(jobId, manager.installWork(versions, template));
    }
    private static String detached(String jobId, String work) {
        return DetachedJob.start(jobId, work);
    }

    public static String jobStatus(String jobId) {
        return DetachedJob.status(jobId, 4000);
    }

    public static JobStatus parseJobStatus(String output) {
        return DetachedJob.parseStatus(output);
    }

    /**
     * A command run as root through sudo without a password prompt ({@code sudo -n}; it fails at once where sudo would
     * ask): the whole command, compound or not, goes to one {@code sh -c}, its single quotes escaped.
     */
    public static String asRoot(String command) {
        return "sudo -n sh -c '" + command.replace("'", "'\\''") + "'";
    }

    /**
     * The reboot, detached and a fifth of a second later, so that the command's exit status is back before sshd stops
     * ({@code sleep 1} where {@code sleep} takes whole seconds only).
     */
    public static String reboot() {
        return "nohup sh -c 'sleep 0.2 2>/dev/null || sleep 1; systemctl reboot' > /dev/null 2>&1 < /dev/null &";
    }
}
