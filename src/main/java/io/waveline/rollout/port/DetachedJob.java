package io.waveline.rollout.port;

import java.util.regex.Pattern;

/**
 * Long work on a node runs detached under a job id, so that neither a dropped SSH connection nor a restart of
 * Waveline loses or repeats it: {@code nohup} in {@link #JOBS_DIR}, its pid in {@code <id>.pid}, its output in
 * {@code <id>.log}, its exit status in {@code <id>.rc}. Starting a job whose pid file exists does nothing; the
 * status answers {@code none}, {@code running} or {@code rc <n>} followed by the output. Used for installs and for
 * the heavy health checks (DCGM level 3 and 4, NCCL). Job ids are checked against a strict pattern; the work is
 * built by Waveline from validated values only.
 */
public final class DetachedJob {

    public static final String JOBS_DIR = "/var/lib/waveline/jobs";
    private static final Pattern JOB_ID = Pattern.compile("[a-z0-9-]{1,64}");

    private DetachedJob() {
    }

    public static String start(String jobId, String work) {
        checkJobId(jobId);
        return "mkdir -p " + JOBS_DIR + " && cd " + JOBS_DIR + " && if [ -e " + jobId + ".pid ]; then echo exists; "
                + "else nohup sh -c '" + work + "; echo $? > " + jobId + ".rc' > " + jobId + ".log 2>&1 < /dev/null & "
                + "echo $! > " + jobId + ".pid; echo started; fi";
    }

    /** The status command; a finished job's output follows, its last {@code tailBytes} bytes. */
    public static String status(String jobId, int tailBytes) {
        checkJobId(jobId);
        return "cd " + JOBS_DIR + " 2>/dev/null && if [ -e " + jobId + ".rc ]; then echo \"rc $(cat " + jobId
                + ".rc)\"; tail -c " + tailBytes + " " + jobId + ".log; elif [ -e " + jobId + ".pid ]; then echo running; "
                + "else echo none; fi";
    }

    public static JobStatus parseStatus(String output) {
        String first = output.lines().findFirst().orElse("").trim();
        if (first.startsWith("rc ")) {
            int newline = output.indexOf('\n');
            String rest = newline < 0 ? "" : output.substring(newline + 1);
            try {
                return new JobStatus(JobStatus.State.DONE, Integer.parseInt(first.substring(3).trim()), rest);
            } catch (NumberFormatException e) {
                return new JobStatus(JobStatus.State.DONE, 255, output);
            }
        }
        return first.equals("running") ? JobStatus.running() : JobStatus.notFound();
    }

    public static void checkJobId(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("refusing unsafe job id " + jobId);
        }
    }
}
