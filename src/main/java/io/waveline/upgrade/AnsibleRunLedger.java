package io.waveline.upgrade;

import java.time.Duration;
import java.util.List;

import io.waveline.rollout.port.JobStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The playbook runs of every replica, in PostgreSQL ({@code ansible_run}): the process runs on the replica that
 * started it, with its files in that replica's jobs folder, but who runs it, whether it still lives (a heartbeat,
 * judged by the database's clock) and how it ended are here for any replica to read.
 */
@ApplicationScoped
public class AnsibleRunLedger {

    /** A run whose replica has not beaten for this long is taken for gone with it. */
    static final Duration GONE_AFTER = Duration.ofSeconds(60);

    @Inject
    EntityManager em;

    /**
     * Claims {@code jobId} for {@code replica}: true when it may start the run (no run yet, or the one recorded is
     * unfinished and its replica gone); false when a run exists that is alive or ended.
     */
    @Transactional
    public boolean claim(String jobId, String host, String replica) {
        int taken = em.createNativeQuery("insert into ansible_run (job_id, host, replica) values (?1, ?2, ?3) on conflict (job_id) do"
                + " update set replica = ?3, started_at = now(), heartbeat_at = now() where ansible_run.finished_at is null and"
                + " ansible_run.heartbeat_at < now() - ?4 * interval '1 millisecond'").setParameter(1, jobId).setParameter(2, host)
                .setParameter(3, replica).setParameter(4, GONE_AFTER.toMillis()).executeUpdate();
        return taken > 0;
    }

    /** The run lives on {@code replica}. */
    @Transactional
    public void beat(String jobId, String replica) {
        em.createNativeQuery("update ansible_run set heartbeat_at = now(), replica = ?2 where job_id = ?1 and finished_at is null")
                .setParameter(1, jobId).setParameter(2, replica).executeUpdate();
    }

    /** The run ended with this status. */
    @Transactional
    public void finish(String jobId, JobStatus status) {
        em.createNativeQuery("update ansible_run set finished_at = now(), exit_status = ?2, outcome = ?3 where job_id = ?1"
                + " and finished_at is null").setParameter(1, jobId).setParameter(2, status.exitStatus())
                .setParameter(3, status.output()).executeUpdate();
    }

    /** What any replica knows of the run: DONE with its outcome, RUNNING while its replica beats, else NOT_FOUND. */
    @Transactional
    public JobStatus status(String jobId) {
        List<?> rows = em.createNativeQuery("select exit_status, outcome, finished_at is not null,"
                + " heartbeat_at >= now() - ?2 * interval '1 millisecond' from ansible_run where job_id = ?1").setParameter(1, jobId)
                .setParameter(2, GONE_AFTER.toMillis()).getResultList();
        if (rows.isEmpty()) {
            return JobStatus.notFound();
        }
        Object[] row = (Object[]) rows.get(0);
        if (Boolean.TRUE.equals(row[2])) {
            return new JobStatus(JobStatus.State.DONE, ((Number) row[0]).intValue(), row[1] == null ? "" : row[1].toString());
        }
        return Boolean.TRUE.equals(row[3]) ? JobStatus.running() : JobStatus.notFound();
    }
}
