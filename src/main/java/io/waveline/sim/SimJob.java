package io.waveline.sim;

import java.time.Instant;
import java.util.Map;

/**
 * A job as stored: when it finishes, what it installs, and (once done) its exit status and log. A check job
 * (DCGM, NCCL) has its answer ready from the start ({@code pendingExit}, {@code pendingLog}) and draws full power
 * from {@code startAt} to {@code finishAt}.
 */
public record SimJob(Instant finishAt, Map<String, String> versions, Integer exitStatus, String log, Instant startAt,
        Integer pendingExit, String pendingLog) {

    public SimJob(Instant finishAt, Map<String, String> versions, Integer exitStatus, String log) {
        this(finishAt, versions, exitStatus, log, null, null, null);
    }

    public boolean check() {
        return pendingLog != null;
    }
}
