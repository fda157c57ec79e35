package io.waveline.rollout;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * The rows a batch of committed steps writes, as JDBC batches in the caller's transaction: each node run's new state
 * (one update, checked against the version the step started from, without loading the entity: none of its JSON is
 * read, and only the documents a step changed are written), and the events and check results it appends to the
 * rollout's timeline (their identity keys keep Hibernate from batching those). A batch of a few hundred steps writes
 * thousands of rows in a few round trips.
 */
@ApplicationScoped
public class StepRows {

    @Inject
    ObjectMapper json;

    private static final String UPDATE = "update node_run set state = ?, direction = ?, rollback_pending = ?, baseline_boot_id = ?,"
            + " baseline_gpu_count = ?, burn_in_admitted_at = ?, heavy_check = ?, check_started_at = ?, baseline_allocatable = ?,"
            + " progress = ?, reboot_requested_at = ?, mismatch_reboots = ?, job_id = ?, job_handle = ?, reset_step = ?,"
            + " pending_action = ?, attempts = ?, next_attempt_at = ?, step_started_at = ?, failure_class = ?, failure_signature = ?,"
            + " last_error = ?, started_at = ?, finished_at = ?, active = ?, version = version + 1";
    private static final String WHERE = " where id = ? and version = ?";

    /**
     * Writes each node run as its step decided it, where it still has the version the step started from: answers, for
     * each, whether it was written (its version is then one more). {@code documents}: for each, whether its baseline
     * and previous versions are written too.
     */
    boolean[] updateRuns(EntityManager em, List<NodeRun> runs, boolean[] documents) {
        boolean[] written = new boolean[runs.size()];
        if (runs.isEmpty()) {
            return written;
        }
        em.unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement plain = connection.prepareStatement(UPDATE + WHERE);
                    PreparedStatement withDocuments = connection.prepareStatement(UPDATE
                            + ", baseline = cast(? as jsonb), previous_versions = cast(? as jsonb)" + WHERE)) {
                List<Integer> plainRows = new java.util.ArrayList<>();
                List<Integer> documentRows = new java.util.ArrayList<>();
                for (int i = 0; i < runs.size(); i++) {
                    NodeRun run = runs.get(i);
                    PreparedStatement update = documents[i] ? withDocuments : plain;
                    int next = columns(update, run);
                    if (documents[i]) {
                        update.setString(next++, document(run.baseline));
                        update.setString(next++, document(run.previousVersions));
                        documentRows.add(i);
                    } else {
                        plainRows.add(i);
                    }
                    update.setLong(next++, run.id);
                    update.setLong(next, run.version);
                    update.addBatch();
                }
                int[] counts = plainRows.isEmpty() ? new int[0] : plain.executeBatch();
                for (int k = 0; k < counts.length; k++) {
                    written[plainRows.get(k)] = counts[k] == 1;
                }
                counts = documentRows.isEmpty() ? new int[0] : withDocuments.executeBatch();
                for (int k = 0; k < counts.length; k++) {
                    written[documentRows.get(k)] = counts[k] == 1;
                }
            }
        });
        return written;
    }

    private static int columns(PreparedStatement update, NodeRun run) throws SQLException {
        int i = 1;
        update.setString(i++, run.state.name());
        update.setString(i++, run.direction.name());
        update.setBoolean(i++, run.rollbackPending);
        update.setString(i++, run.baselineBootId);
        update.setObject(i++, run.baselineGpuCount, java.sql.Types.INTEGER);
        update.setObject(i++, time(run.burnInAdmittedAt), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        update.setInt(i++, run.heavyCheck);
        update.setObject(i++, time(run.checkStartedAt), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        update.setObject(i++, run.baselineAllocatable, java.sql.Types.INTEGER);
        update.setString(i++, run.progress);
        update.setObject(i++, time(run.rebootRequestedAt), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        update.setInt(i++, run.mismatchReboots);
        update.setString(i++, run.jobId);
        update.setString(i++, run.jobHandle);
        update.setInt(i++, run.resetStep);
        update.setString(i++, run.pendingAction);
        update.setInt(i++, run.attempts);
        update.setObject(i++, time(run.nextAttemptAt), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        update.setObject(i++, time(run.stepStartedAt), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        update.setString(i++, run.failureClass == null ? null : run.failureClass.name());
        update.setString(i++, run.failureSignature);
        update.setString(i++, run.lastError);
        update.setObject(i++, time(run.startedAt), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        update.setObject(i++, time(run.finishedAt), java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        update.setBoolean(i++, run.active);
        return i;
    }

    private static java.time.OffsetDateTime time(java.time.Instant at) {
        return at == null ? null : java.time.OffsetDateTime.ofInstant(at, java.time.ZoneOffset.UTC);
    }

    private String document(Object value) throws SQLException {
        try {
            return value == null ? null : json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new SQLException("a node run's document cannot be written as JSON", e);
        }
    }

    void insertEvents(EntityManager em, List<RolloutEvent> events) {
        if (events.isEmpty()) {
            return;
        }
        em.unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "insert into rollout_event (rollout_id, node_name, at, actor, kind, message) values (?, ?, ?, ?, ?, ?)")) {
                for (RolloutEvent event : events) {
                    insert.setLong(1, event.rolloutId);
                    insert.setString(2, event.nodeName);
                    insert.setObject(3, time(event.at));
                    insert.setString(4, event.actor);
                    insert.setString(5, event.kind);
                    insert.setString(6, event.message);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    void insertChecks(EntityManager em, List<CheckRecord> checks) {
        if (checks.isEmpty()) {
            return;
        }
        em.unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("insert into check_result (node_run_id, check_name, direction,"
                    + " status, summary, figures, raw_output, at) values (?, ?, ?, ?, ?, cast(? as jsonb), ?, ?)")) {
                for (CheckRecord check : checks) {
                    insert.setLong(1, check.nodeRunId);
                    insert.setString(2, check.checkName);
                    insert.setString(3, check.direction.name());
                    insert.setString(4, check.status);
                    insert.setString(5, check.summary);
                    insert.setString(6, figures(check));
                    insert.setString(7, check.rawOutput);
                    insert.setObject(8, time(check.at));
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    private String figures(CheckRecord check) throws SQLException {
        try {
            return json.writeValueAsString(check.figures == null ? java.util.Map.of() : check.figures);
        } catch (JsonProcessingException e) {
            throw new SQLException("the figures of check " + check.checkName + " cannot be written as JSON", e);
        }
    }
}
