package io.waveline.rollout;

import java.time.Instant;
import java.util.Map;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** A health check's result for one node run, with its raw output (bounded). */
@Entity
@Table(name = "check_result")
public class CheckRecord extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "node_run_id")
    public long nodeRunId;
    @Column(name = "check_name")
    public String checkName;
    @Enumerated(EnumType.STRING)
    public Direction direction;
    public String status;
    public String summary;
    @JdbcTypeCode(SqlTypes.JSON)
    public Map<String, Object> figures;
    @Column(name = "raw_output")
    public String rawOutput;
    public Instant at;

    /** A check's verdict on a node run, stored under {@code name} with {@code summary} (which may say when it ran). */
    static CheckRecord of(long nodeRunId, Direction direction, String name, io.waveline.rollout.port.CheckOutcome outcome, String summary,
            Instant at) {
        CheckRecord record = new CheckRecord();
        record.nodeRunId = nodeRunId;
        record.checkName = name;
        record.direction = direction;
        record.status = outcome.status().name();
        record.summary = summary;
        record.figures = outcome.figures();
        record.rawOutput = outcome.rawOutput();
        record.at = at;
        return record;
    }
}
