package io.waveline.rollout.port;

import java.time.Duration;

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

    /**
     * The start command. Where the node has {@code flock} (util-linux), the job holds a lock on {@code <id>.lock} until
     * its exit status is written, so that a status command waiting for it wakes as it ends instead of looking again
     * and again ({@code -o}: the lock is not handed down to the work, so a daemon the work starts does not hold it).
     */
    public static String start(String jobId, String work) {
        checkJobId(jobId);
        return "mkdir -p " + JOBS_DIR + " && cd " + JOBS_DIR + " && if [ -e " + jobId + ".pid ]; then echo exists; "
                + "else L=; command -v flock > /dev/null 2>&1 && L=\"flock -o " + jobId + ".lock\"; "
                + "nohup $L sh -c '" + work + "; echo $? > " + jobId + ".rc' > " + jobId + ".log 2>&1 < /dev/null & "
                + "echo $! > " + jobId + ".pid; echo started; fi";
    }

    /** How often a status command that waits for its job looks at the job's files on the node. */
    public static final Duration WAIT_STEP = Duration.ofMillis(50);
    /** The longest one status command waits for its job on the node. */
    public static final Duration MAX_WAIT = Duration.ofSeconds(10);
    /** The host's pause between two looks of a command that waits; it fails where {@code sleep} takes whole seconds. */
    public static final String PAUSE = "sleep 0.05 2>/dev/null";

    /** How many times a command that waits up to {@code wait} (at most {@link #MAX_WAIT}) looks, {@link #WAIT_STEP} apart. */
    public static long looks(Duration wait) {
        return Math.min(wait.toMillis(), MAX_WAIT.toMillis()) / WAIT_STEP.toMillis();
    }

    /**
     * The status command; a finished job's output follows, its last {@code tailBytes} bytes. A job counts as finished
     * once its exit status is written ({@code .rc} not empty).
     */
    public static String status(String jobId, int tailBytes) {
        return status(jobId, tailBytes, Duration.ZERO);
    }

    /**
     * The status command that first waits, up to {@code wait} (at most {@link #MAX_WAIT}), for a running job to end: on
     * the job's lock where it holds one (it answers as the job ends), else looking every {@link #WAIT_STEP} (it
     * answers as soon as the job's exit status is written; where {@code sleep} takes whole seconds only, it does not
     * wait).
     */
    public static String status(String jobId, int tailBytes, Duration wait) {
        checkJobId(jobId);
        long looks = looks(wait);
        String waiting = looks <= 0 ? "" : "if [ ! -s " + jobId + ".rc ] && [ -e " + jobId + ".lock ] && command -v flock > /dev/null"
                + " 2>&1; then LC_ALL=C flock -w " + looks * WAIT_STEP.toMillis() / 1000.0 + " " + jobId + ".lock true 2> /dev/null; else "
                + "n=0; while [ ! -s " + jobId + ".rc ] && [ -e " + jobId + ".pid ] && [ $n -lt " + looks
                + " ] && " + PAUSE + "; do n=$((n+1)); done; fi; ";
        return "cd " + JOBS_DIR + " 2>/dev/null && { " + waiting + "if [ -s " + jobId + ".rc ]; then echo \"rc $(cat " + jobId
                + ".rc)\"; tail -c " + tailBytes + " " + jobId + ".log; elif [ -e " + jobId + ".pid ]; then echo running; "
                + "else echo none; fi; }";
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
