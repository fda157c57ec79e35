package io.waveline.rollout;

import java.time.Instant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * One wave of a rollout as it went: PENDING, AWAITING_APPROVAL, RUNNING, SOAKING, DONE, or STOPPED when the
 * rollout ended before it; when it started, soaked and ended; who approved it.
 */
@Entity
@Table(name = "rollout_wave")
public class RolloutWave extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "rollout_id")
    public long rolloutId;
    @Column(name = "wave_index")
    public int waveIndex;
    public String name;
    public int nodes;
    public String phase;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "soak_started_at")
    public Instant soakStartedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    @Column(name = "checked_after_wave_at")
    public Instant checkedAfterWaveAt;
    @Column(name = "checked_after_soak_at")
    public Instant checkedAfterSoakAt;
    @Column(name = "approved_by")
    public String approvedBy;
    @Column(name = "approved_at")
    public Instant approvedAt;

    public static RolloutWave of(long rolloutId, int index) {
        return find("rolloutId = ?1 and waveIndex = ?2", rolloutId, index).firstResult();
    }
}
