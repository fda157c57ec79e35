package io.waveline.rollout;

import java.time.Instant;
import java.util.List;

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
import jakarta.persistence.Version;

/** One run of a plan, with the plan text frozen at start. */
@Entity
@Table(name = "rollout")
public class Rollout extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "plan_name")
    public String planName;
    @Column(name = "plan_text")
    public String planText;
    @Column(name = "plan_sha256")
    public String planSha256;
    @Enumerated(EnumType.STRING)
    public RolloutState state;
    @Column(name = "current_wave")
    public int currentWave;
    @Enumerated(EnumType.STRING)
    @Column(name = "wave_phase")
    public WavePhase wavePhase;
    @Column(name = "phase_since")
    public Instant phaseSince;
    @Column(name = "abort_requested")
    public boolean abortRequested;
    @Column(name = "halt_reason")
    public String haltReason;
    @Column(name = "started_by")
    public String startedBy;
    @Column(name = "idempotency_key")
    public String idempotencyKey;
    /**
     * Names of the nodes the plan selected when it started, with their facts then (the limits count over them). Loaded
     * only when read: a large fleet's pool is not parsed, nor compared at every flush, by each command on the rollout.
     */
    @JdbcTypeCode(SqlTypes.JSON)
    @jakarta.persistence.Basic(fetch = jakarta.persistence.FetchType.LAZY)
    public List<PoolNode> pool;
    @Column(name = "created_at")
    public Instant createdAt;
    @Column(name = "updated_at")
    public Instant updatedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    @Version
    public long version;

    /** A pool member as frozen at start. */
    public record PoolNode(String name, java.util.Map<String, String> labels, int gpuCount, boolean available) {
    }
}
