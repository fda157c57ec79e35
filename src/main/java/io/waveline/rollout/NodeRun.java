package io.waveline.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.engine.spi.SelfDirtinessTracker;
import org.hibernate.type.SqlTypes;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import io.waveline.plan.MethodCatalog;
import io.waveline.plan.MethodSettings;
import io.waveline.plan.MethodSpec.Method;
import io.waveline.plan.NodeFacts;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.rollout.port.DrainSpec;
import io.waveline.rollout.port.GpuBaseline;
import io.waveline.rollout.port.NodeAddress;
import jakarta.persistence.AttributeConverter;
import jakarta.persistence.Column;
import jakarta.persistence.Convert;
import jakarta.persistence.Converter;
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

    /** From {@code node_run_id_seq} in blocks of 50 ({@code V20__node_run_id_blocks.sql}): a start inserts its runs in batches. */
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "node_run_ids")
    @jakarta.persistence.SequenceGenerator(name = "node_run_ids", sequenceName = "node_run_id_seq", allocationSize = 50)
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
    public List<CheckRequest> checks;
    /** The {@code ssh} method's package manager ({@code apt} or {@code dnf}) as frozen at start; a record only: the method reads its settings. */
    @Column(name = "package_manager")
    public String packageManager;
    @Column(name = "baseline_boot_id")
    public String baselineBootId;
    @Column(name = "baseline_gpu_count")
    public Integer baselineGpuCount;
    /** The GPUs before the node was touched (UUIDs, bus IDs, VBIOS, modes, NVLinks). */
    @JdbcTypeCode(SqlTypes.JSON)
    public GpuBaseline baseline;
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
    public DrainSpec drain;
    /** Allocatable nvidia.com/gpu before the upgrade (Kubernetes nodes). */
    @Column(name = "baseline_allocatable")
    public Integer baselineAllocatable;
    /** What the node waits for now, in words (training jobs, pods left to evict). */
    public String progress;
    /** How the node is upgraded (stored as the plan's word: {@code ssh}, {@code ansible}, {@code gpu-operator}, {@code redfish}). */
    @Convert(converter = MethodWord.class)
    public Method method = Method.SSH;
    /** The plan's method settings as written, frozen at start. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(name = "method_settings")
    public Map<String, String> methodSettings;

    /** The frozen method settings, typed. */
    public MethodSettings settings() {
        return MethodSettings.of(methodSettings);
    }

    /** Where the node's shell is. */
    public NodeAddress address() {
        return new NodeAddress(nodeName, facts.address(), facts.sshPort(), facts.sshUser());
    }

    /** The plan's method word in the database. */
    @Converter
    public static class MethodWord implements AttributeConverter<Method, String> {
        @Override
        public String convertToDatabaseColumn(Method method) {
            return method == null ? null : method.word();
        }

        @Override
        public Method convertToEntityAttribute(String word) {
            return word == null ? Method.SSH : MethodCatalog.byWord(word).orElseThrow(() -> new IllegalStateException(
                    "node_run.method holds \"" + word + "\", not a method"));
        }
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
    /** Which of the method's resets ({@link io.waveline.rollout.port.Upgrader#resets}) was asked for last. */
    @Column(name = "reset_step")
    public int resetStep;
    /**
     * The host action decided and recorded but not yet confirmed as carried out ({@code install}, {@code reset},
     * {@code heavy}); null otherwise. Found set after a restart, the step reconciles it with what the host shows.
     */
    @Column(name = "pending_action")
    public String pendingAction;
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

    /**
     * A copy to change (the node pipeline answers one), the same row and version. Its changes, for a merge, are this
     * run's own unflushed changes and whatever is changed on the copy afterwards: the writes that make the copy are not
     * tracked one by one (the enhanced entity's tracker grows its array of names once per field written, which was the
     * engine's largest allocation site at 10,000 nodes; docs/benchmarks.md).
     */
    public NodeRun copy() {
        NodeRun c = new NodeRun();
        SelfDirtinessTracker tracker = c instanceof SelfDirtinessTracker t ? t : null; // enhanced at build time
        if (tracker != null) {
            tracker.$$_hibernate_suspendDirtyTracking(true);
        }
        c.id = id;
        c.rolloutId = rolloutId;
        c.nodeName = nodeName;
        c.waveIndex = waveIndex;
        c.position = position;
        c.state = state;
        c.direction = direction;
        c.rollbackPending = rollbackPending;
        c.previousVersions = previousVersions;
        c.targetVersions = targetVersions;
        c.facts = facts;
        c.checks = checks;
        c.packageManager = packageManager;
        c.baselineBootId = baselineBootId;
        c.baselineGpuCount = baselineGpuCount;
        c.baseline = baseline;
        c.burnInAdmittedAt = burnInAdmittedAt;
        c.heavyCheck = heavyCheck;
        c.checkStartedAt = checkStartedAt;
        c.drain = drain;
        c.baselineAllocatable = baselineAllocatable;
        c.progress = progress;
        c.method = method;
        c.methodSettings = methodSettings;
        c.rebootRequestedAt = rebootRequestedAt;
        c.mismatchReboots = mismatchReboots;
        c.jobId = jobId;
        c.jobHandle = jobHandle;
        c.resetStep = resetStep;
        c.pendingAction = pendingAction;
        c.attempts = attempts;
        c.nextAttemptAt = nextAttemptAt;
        c.stepStartedAt = stepStartedAt;
        c.failureClass = failureClass;
        c.failureSignature = failureSignature;
        c.lastError = lastError;
        c.startedAt = startedAt;
        c.finishedAt = finishedAt;
        c.active = active;
        c.version = version;
        if (tracker != null) {
            tracker.$$_hibernate_suspendDirtyTracking(false);
            tracker.$$_hibernate_clearDirtyAttributes();
            if (this instanceof SelfDirtinessTracker source && source.$$_hibernate_hasDirtyAttributes()) {
                for (String name : source.$$_hibernate_getDirtyAttributes()) {
                    tracker.$$_hibernate_trackChange(name);
                }
            }
        }
        return c;
    }

    /** Versions this run moves the node to now: the target going forward, the previous ones going back. */
    public Map<String, String> wantedVersions() {
        return direction == Direction.ROLLBACK ? previousVersions : targetVersions;
    }

    /** How to reach the node and what it is, frozen at start. */
    public record NodeSnapshot(String address, int sshPort, String sshUser, Map<String, String> labels,
            String gpuVendor, String gpuModel, int gpuCount, boolean nvswitch, boolean available) {

        /** Held by a scheduler (a Kubernetes cluster): cordoned, drained and watched through its API. */
        public boolean scheduled() {
            return labels != null && labels.containsKey(NodeFacts.KUBERNETES_MARKER);
        }
    }
}
