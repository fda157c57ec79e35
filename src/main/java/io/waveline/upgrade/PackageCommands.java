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

    private static final java.util.regex.Pattern BOOT_ID = java.util.regex.Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    /**
     * The boot id once it is no longer {@code before} (the node rebooted), or after {@code wait} (at most
     * {@link DetachedJob#MAX_WAIT}) if it still is then, looking every {@link DetachedJob#WAIT_STEP}; the boot id at
     * once where {@code before} is not a boot id or {@code sleep} takes whole seconds only. A node that goes down
     * meanwhile ends the command with its connection.
     */
    public static String bootIdAfter(String before, java.time.Duration wait) {
        long looks = DetachedJob.looks(wait);
        if (looks <= 0 || before == null || !BOOT_ID.matcher(before).matches()) {
            return bootId();
        }
        return "b=$(" + bootId() + "); n=0; while [ \"$b\" = " + before + " ] && [ $n -lt " + looks
                + " ] && " + DetachedJob.PAUSE + "; do n=$((n+1)); b=$(" + bootId() + "); done; echo \"$b\"";
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

    /** The job's status once it ends, or after {@code wait} if it is still running then. */
    public static String jobStatus(String jobId, java.time.Duration wait) {
        return DetachedJob.status(jobId, 4000, wait);
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
     * The reboot, detached, so that the command answers at once. Where the host goes down before the answer is back,
     * the answer is lost ({@link io.waveline.rollout.port.AnswerLostException}) and the engine takes the reboot as under
     * way: it waits for the new boot id as for an answered one.
     */
    public static String reboot() {
        return "nohup sh -c 'systemctl reboot' > /dev/null 2>&1 < /dev/null &";
    }
}
