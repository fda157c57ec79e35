package io.waveline.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.waveline.rollout.NodeRun;
import io.waveline.rollout.Rollout;
import io.waveline.rollout.RolloutEvent;

/** A rollout as the API shows it: its state, its waves with every node's state, versions and check results. */
public record RolloutView(long id, String plan, String planSha256, String state, int currentWave, String wavePhase,
        String startedBy, Instant createdAt, Instant updatedAt, Instant finishedAt, String haltReason,
        boolean abortRequested, Map<String, Long> nodesByState, List<Wave> waves, Limits limits, List<Failure> failures) {

    /** The most failures listed in {@code failures}; the counts by state have them all. */
    public static final int FAILURES_SHOWN = 100;

    /**
     * The plan's limits as this rollout applies them: {@code maxUnavailable} as written and in nodes of its pool
     * ({@code poolNodes}: the nodes the plan selected), the failure-domain limits, and the failure policy.
     */
    public record Limits(String maxUnavailable, int maxUnavailableNodes, int poolNodes, List<String> failureDomains,
            String maxFailuresPerWave, String onFailure) {

        static Limits of(io.waveline.plan.RolloutPlan plan, int poolNodes) {
            return new Limits(plan.limits().maxUnavailable().toString(), plan.limits().maxUnavailable().resolve(poolNodes), poolNodes,
                    plan.limits().failureDomains().stream().map(d -> d.labelKey() + ": " + d.maxUnavailable()).toList(),
                    plan.failurePolicy().failuresAllowedPerWave().toString(), plan.failurePolicy().onFailure().word());
        }
    }

    /** A node that failed or was quarantined, with why (the first {@link #FAILURES_SHOWN} by wave and position). */
    public record Failure(String name, int wave, String state, String failureClass, String lastError) {
        static Failure of(NodeRun n) {
            return new Failure(n.nodeName, n.waveIndex, n.state.name(), n.failureClass == null ? null : n.failureClass.name(),
                    n.lastError);
        }
    }

    /** {@code checkedAfterWaveAt}, {@code checkedAfterSoakAt}: when the wave-level XID scans ran. */
    public record Wave(int index, String name, String phase, Instant startedAt, Instant soakStartedAt,
            Instant finishedAt, String approvedBy, Instant approvedAt, Instant checkedAfterWaveAt,
            Instant checkedAfterSoakAt, Map<String, Long> nodesByState, List<Node> nodes) {
    }

    /**
     * {@code baseline}: the node's GPUs before it was touched; {@code burnIn}: for a node in BURN_IN, whether its
     * heavy checks were admitted within the rack's power budget ({@code waiting-for-power} or {@code running});
     * {@code progress}: what a Kubernetes node waits for (training jobs, pods left to evict and the budgets refusing).
     */
    public record Node(String name, String state, String direction, boolean rollbackPending,
            Map<String, String> previousVersions, Map<String, String> targetVersions, int attempts,
            String failureClass, String lastError, Instant startedAt, Instant finishedAt,
            io.waveline.rollout.port.GpuBaseline baseline, String burnIn, String progress, List<Check> checks, int wave) {
    }

    /**
     * {@code figures}: the check's figures as stored, a JSON object written as it is (not parsed and written again: on
     * a page of nodes that was a third of the page's cost).
     */
    public record Check(String name, String direction, String status, String summary,
            @com.fasterxml.jackson.annotation.JsonRawValue
            @org.eclipse.microprofile.openapi.annotations.media.Schema(type = org.eclipse.microprofile.openapi.annotations.enums.SchemaType.OBJECT,
                    description = "the check's figures, by name (numbers, strings, lists)") String figures,
            Instant at) {
    }

    public record Event(long id, Instant at, String actor, String kind, String node, String message, String replica) {
        public static Event of(RolloutEvent e) {
            return new Event(e.id, e.at, e.actor, e.kind, e.nodeName, e.message, e.replica);
        }
    }

    public static RolloutView of(Rollout r, List<io.waveline.rollout.RolloutWave> waveRecords, List<NodeRun> runs,
            Map<Long, List<Check>> checks, Limits limits) {
        Map<Integer, Map<String, Long>> counts = new java.util.HashMap<>();
        runs.forEach(n -> counts.computeIfAbsent(n.waveIndex, w -> new java.util.TreeMap<>()).merge(n.state.name(), 1L, Long::sum));
        Map<Integer, List<Node>> nodes = new java.util.HashMap<>();
        runs.forEach(n -> nodes.computeIfAbsent(n.waveIndex, w -> new java.util.ArrayList<>()).add(node(n, checks.getOrDefault(n.id, List.of()))));
        List<Failure> failures = runs.stream().filter(n -> n.state == io.waveline.rollout.NodeState.FAILED
                || n.state == io.waveline.rollout.NodeState.QUARANTINED).limit(FAILURES_SHOWN).map(Failure::of).toList();
        return summary(r, waveRecords, counts, nodes, limits, failures);
    }

    /**
     * The rollout with the node counts of each wave ({@code counts}: wave → state → nodes) and, where given, its nodes;
     * without them ({@code nodes} empty) it is the summary that stays small however large the rollout.
     */
    public static RolloutView summary(Rollout r, List<io.waveline.rollout.RolloutWave> waveRecords, Map<Integer, Map<String, Long>> counts,
            Map<Integer, List<Node>> nodes, Limits limits, List<Failure> failures) {
        Map<String, Long> byState = new java.util.TreeMap<>();
        counts.values().forEach(c -> c.forEach((state, n) -> byState.merge(state, n, Long::sum)));
        List<Wave> waveViews = new java.util.ArrayList<>();
        for (io.waveline.rollout.RolloutWave record : waveRecords) {
            int index = record.waveIndex;
            waveViews.add(new Wave(index, record.name, record.phase, record.startedAt, record.soakStartedAt,
                    record.finishedAt, record.approvedBy, record.approvedAt, record.checkedAfterWaveAt, record.checkedAfterSoakAt,
                    counts.getOrDefault(index, Map.of()), nodes.getOrDefault(index, List.of())));
        }
        return new RolloutView(r.id, r.planName, r.planSha256, r.state.name(), r.currentWave, r.wavePhase.name(),
                r.startedBy, r.createdAt, r.updatedAt, r.finishedAt, r.haltReason, r.abortRequested, byState, waveViews, limits, failures);
    }

    /** One node run as the API shows it, with its check results. */
    public static Node node(NodeRun n, List<Check> checks) {
        return node(n, checks, true);
    }

    /** As above; without {@code baseline} the GPU baseline (about 2.5 KB a node) is left out, for list pages. */
    public static Node node(NodeRun n, List<Check> checks, boolean baseline) {
        return new Node(n.nodeName, n.state.name(), n.direction.name(), n.rollbackPending, n.previousVersions, n.targetVersions,
                n.attempts, n.failureClass == null ? null : n.failureClass.name(), n.lastError, n.startedAt,
                n.finishedAt, baseline ? n.baseline : null, burnIn(n.state, n.burnInAdmittedAt), n.progress, checks, n.waveIndex);
    }

    /** Where a node in BURN_IN is: {@code waiting-for-power} until admitted, then {@code running}; null in other states. */
    static String burnIn(io.waveline.rollout.NodeState state, Instant admittedAt) {
        return state != io.waveline.rollout.NodeState.BURN_IN ? null : admittedAt == null ? "waiting-for-power" : "running";
    }
}
