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
import jakarta.persistence.Version;

/** One node's way through one rollout: its step, attempts, timings, previous and target versions. */
@Entity
@Table(name = "node_run")
public class NodeRun extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "rollout_id")
    public long rolloutId;
    @Column(name = "node_name")
    public String nodeName;
    @Column(name = "wave_index")
    public int waveIndex;
    public int position;
    @Enumerated(EnumType.STRING)
    public NodeState state;
    @Enumerated(EnumType.STRING)
    public Direction direction;
    @Column(name = "rollback_pending")
    public boolean rollbackPending;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "previous_versions")
    public Map<String, String> previousVersions;
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "target_versions")
    public Map<String, String> targetVersions;
    /** The node as the inventory described it at start: address, port, labels, GPU facts. */
    @JdbcTypeCode(SqlTypes.JSON)
    public NodeSnapshot facts;
    /** The catalog checks the plan asks for on this node's wave, frozen at start. */
    @JdbcTypeCode(SqlTypes.JSON)
    public java.util.List<io.waveline.health.CheckRequest> checks;
    /** The {@code ssh} method's package manager for this node ({@code apt} or {@code dnf}), from the plan. */
    @Column(name = "package_manager")
    public String packageManager;
    @Column(name = "baseline_boot_id")
    public String baselineBootId;
    @Column(name = "baseline_gpu_count")
    public Integer baselineGpuCount;
    /** The GPUs before the node was touched (UUIDs, bus IDs, VBIOS, modes, NVLinks). */
    @JdbcTypeCode(SqlTypes.JSON)
    public io.waveline.health.GpuBaseline baseline;
    /** When the decider let this node's heavy checks draw power (null: waiting for the rack's budget). */
    @Column(name = "burn_in_admitted_at")
    public Instant burnInAdmittedAt;
    /** Which of the wave's heavy checks runs now (0-based), and since when. */
    @Column(name = "heavy_check")
    public int heavyCheck;
    @Column(name = "check_started_at")
    public Instant checkStartedAt;
    /** The plan's drain settings (Kubernetes nodes). */
    @JdbcTypeCode(SqlTypes.JSON)
    public io.waveline.kubernetes.DrainSpec drain;
    /** Allocatable nvidia.com/gpu before the upgrade (Kubernetes nodes). */
    @Column(name = "baseline_allocatable")
    public Integer baselineAllocatable;
    /** What the node waits for now, in words (training jobs, pods left to evict). */
    public String progress;
    /** How the node is upgraded: {@code ssh}, {@code gpu-operator} or {@code redfish}. */
    public String method = "ssh";
    /** The plan's method settings, frozen at start. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "method_settings")
    public Map<String, String> methodSettings;

    public Map<String, String> settings() {
        return methodSettings == null ? Map.of() : methodSettings;
    }

    public boolean throughGpuOperator() {
        return "gpu-operator".equals(method);
    }
    @Column(name = "reboot_requested_at")
    public Instant rebootRequestedAt;
    @Column(name = "mismatch_reboots")
    public int mismatchReboots;
    @Column(name = "job_id")
    public String jobId;
    /** What the method needs to find the install job again (the redfish method's task URIs); null for job files on the node. */
    @Column(name = "job_handle")
    public String jobHandle;
    /** Which of the method's resets ({@link io.waveline.upgrade.Upgrader#resets}) was asked for last. */
    @Column(name = "reset_step")
    public int resetStep;
    public int attempts;
    @Column(name = "next_attempt_at")
    public Instant nextAttemptAt;
    @Column(name = "step_started_at")
    public Instant stepStartedAt;
    @Enumerated(EnumType.STRING)
    @Column(name = "failure_class")
    public FailureClass failureClass;
    @Column(name = "failure_signature")
    public String failureSignature;
    @Column(name = "last_error")
    public String lastError;
    @Column(name = "started_at")
    public Instant startedAt;
    @Column(name = "finished_at")
    public Instant finishedAt;
    public boolean active;
    @Version
    public long version;

    /** Versions this run moves the node to now: the target going forward, the previous ones going back. */
    public Map<String, String> wantedVersions() {
        return direction == Direction.ROLLBACK ? previousVersions : targetVersions;
    }

    /** How to reach the node and what it is, frozen at start. */
    public record NodeSnapshot(String address, int sshPort, String sshUser, Map<String, String> labels,
            String gpuVendor, String gpuModel, int gpuCount, boolean nvswitch, boolean available) {

        /** Found in a Kubernetes cluster: cordoned, drained and watched through the API. */
        public boolean kubernetes() {
            return labels != null && labels.containsKey(io.waveline.kubernetes.KubernetesInventory.MARKER);
        }
    }
}
