package io.waveline.upgrade;

import java.util.Map;
import java.util.regex.Pattern;


/**
 * The shell commands of the {@code ssh} method that do not depend on the distribution: the detached job that runs
 * an install ({@code nohup} under a job id in {@code /var/lib/waveline/jobs}, exit status in {@code <id>.rc}), its
 * status, the boot id and the reboot. The install itself comes from {@link PackageManager}.
 */
public final class PackageCommands {

    public static final String JOBS_DIR = "/var/lib/waveline/jobs";
    private static final Pattern JOB_ID = Pattern.compile("[a-z0-9-]{1,64}");

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
        checkJobId(jobId);
        return "mkdir -p " + JOBS_DIR + " && cd " + JOBS_DIR + " && if [ -e " + jobId + ".pid ]; then echo exists; "
                + "else nohup sh -c '" + work + "; echo $? > " + jobId + ".rc' > " + jobId + ".log 2>&1 < /dev/null & "
                + "echo $! > " + jobId + ".pid; echo started; fi";
    }

    public static String jobStatus(String jobId) {
        checkJobId(jobId);
        return "cd " + JOBS_DIR + " 2>/dev/null && if [ -e " + jobId + ".rc ]; then echo \"rc $(cat " + jobId
                + ".rc)\"; tail -c 4000 " + jobId + ".log; elif [ -e " + jobId + ".pid ]; then echo running; "
                + "else echo none; fi";
    }

    public static JobStatus parseJobStatus(String output) {
        String first = output.lines().findFirst().orElse("").trim();
        if (first.startsWith("rc ")) {
            try {
                int rc = Integer.parseInt(first.substring(3).trim());
                return new JobStatus(JobStatus.State.DONE, rc, output.substring(output.indexOf('\n') + 1));
            } catch (NumberFormatException e) {
                return new JobStatus(JobStatus.State.DONE, 255, output);
            }
        }
        return first.equals("running") ? JobStatus.running() : JobStatus.notFound();
    }

    public static String reboot() {
        return "nohup sh -c 'sleep 1; systemctl reboot' > /dev/null 2>&1 < /dev/null &";
    }

    private static void checkJobId(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("refusing unsafe job id " + jobId);
        }
    }
}
