package io.waveline.rollout;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.rollout.port.CheckContext;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.rollout.port.HealthCheck;
import io.waveline.plan.NodeFacts;
import io.waveline.plan.PowerBudget;
import io.waveline.plan.WaveChecks;
import io.waveline.rollout.port.NodeUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The wave-level checks ({@link Action.CheckWave}): a fresh XID scan of every node the wave upgraded, after the
 * wave settled and again at the end of its soak. Reads the nodes, scans them outside any transaction,
 * {@code waveline.engine.wave-scan-parallelism} at once, committing the verdicts as they come, together when many
 * are ready at once (up to 500 per transaction, {@link RolloutStore#recordScans}), so a restart scans only the nodes
 * left; then commits the stage with
 * {@link RolloutStore#commitWaveCheck}, which ignores a stage already recorded. A node that does not answer is
 * reported and left as it is.
 * After the wave (not after the soak) the plan's optional NCCL run across the wave follows, on the nodes without a
 * fatal XID and, per rack, only as many as its power budget carries; if it fails, the wave fails.
 */
@ApplicationScoped
public class WaveChecker {

    @Inject
    RolloutStore store;

    @Inject
    HealthCheck checks;

    @Inject
    Clock clock;

    @Inject
    NodePipeline pipeline;

    @Inject
    NodeEffects effects;

    @Inject
    io.waveline.rollout.port.UpgradeMethods methods;

    @Inject
    io.waveline.rollout.port.NodeOperationsSelection schedulers;

    @Inject
    EngineSettings settings;

    private java.util.concurrent.ExecutorService scanners;

    @jakarta.annotation.PostConstruct
    void start() {
        scanners = java.util.concurrent.Executors.newFixedThreadPool(settings.waveScanParallelism(), r -> {
            Thread thread = new Thread(r, "wave-scan");
            thread.setDaemon(true);
            return thread;
        });
    }

    @jakarta.annotation.PreDestroy
    void stop() {
        scanners.shutdownNow();
    }

    /**
     * Commits the verdicts gathered and empties {@code toRecord}; false when this replica lost the lease, the scans
     * still under way then cancelled.
     */
    private boolean record(Lease lease, Action.CheckWave action, Map<Long, CheckOutcome> toRecord,
            List<java.util.concurrent.Future<Scanned>> scanning) {
        if (!store.recordScans(lease, action, toRecord)) {
            scanning.forEach(f -> f.cancel(true));
            return false;
        }
        toRecord.clear();
        return true;
    }

    /** One node's scan: its verdict, or why it could not be read. */
    private record Scanned(long nodeRunId, CheckOutcome outcome, String unreachable) {
    }

    public void run(Lease lease, Action.CheckWave action) {
        RolloutStore.WaveScan scan = store.waveScan(lease.rolloutId(), action.wave());
        CheckRequest xid = scan.xidRequest();
        Map<Long, CheckOutcome> before = store.scannedSoFar(lease.rolloutId(), action);
        List<String> unreachable = new ArrayList<>();
        Map<Long, CheckOutcome> outcomes = new LinkedHashMap<>(before);
        java.util.concurrent.CompletionService<Scanned> done = new java.util.concurrent.ExecutorCompletionService<>(scanners);
        List<java.util.concurrent.Future<Scanned>> scanning = new ArrayList<>();
        for (NodeRun run : scan.nodes()) {
            if (!before.containsKey(run.id)) {
                scanning.add(done.submit(() -> {
                    try {
                        return new Scanned(run.id, checks.runOne(run.address(), xid, CheckContext.none()), null);
                    } catch (NodeUnreachableException | RuntimeException e) {
                        return new Scanned(run.id, null, run.nodeName + " (" + e.getMessage() + ")");
                    }
                }));
            }
        }
        Map<Long, CheckOutcome> toRecord = new LinkedHashMap<>();
        for (int i = 0; i < scanning.size(); i++) {
            Scanned scanned;
            try {
                java.util.concurrent.Future<Scanned> next = done.poll();
                if (next == null) {
                    // Nothing more is ready: what is here is committed now, then the scan waits for the next node.
                    if (!record(lease, action, toRecord, scanning)) {
                        return;
                    }
                    next = done.take();
                }
                scanned = next.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                scanning.forEach(f -> f.cancel(true));
                return;
            } catch (java.util.concurrent.ExecutionException e) {
                scanning.forEach(f -> f.cancel(true));
                throw new IllegalStateException("an XID scan failed", e.getCause());
            }
            if (scanned.unreachable() != null) {
                unreachable.add(scanned.unreachable());
                continue;
            }
            outcomes.put(scanned.nodeRunId(), scanned.outcome());
            toRecord.put(scanned.nodeRunId(), scanned.outcome());
            if (toRecord.size() >= 500 && !record(lease, action, toRecord, scanning)) {
                return;
            }
        }
        if (!record(lease, action, toRecord, scanning)) {
            return;
        }
        if (outcomes.size() + unreachable.size() < scan.nodes().size()) {
            return; // this replica lost the lease meanwhile: the holder scans the rest
        }
        String when = action.stage().when(scan.waveName());
        Map<Long, Decision> failures = new LinkedHashMap<>();
        for (NodeRun run : scan.nodes()) {
            CheckOutcome outcome = outcomes.get(run.id);
            if (outcome != null && !outcome.passed()) {
                failures.put(run.id, outOfService(run, pipeline.decide(run, new Observation.WaveXid(outcome, when), clock.instant())));
            }
        }
        Optional<Across> across = Optional.empty();
        if (action.stage() == Action.WaveStage.AFTER_WAVE && scan.nccl().filter(n -> n.appliesTo(scan.waveName())).isPresent()) {
            List<NodeRun> healthy = scan.nodes().stream().filter(r -> outcomes.containsKey(r.id) && outcomes.get(r.id).passed()).toList();
            across = ncclAcross(scan.nccl().get(), withinPowerBudget(healthy, scan.power()));
        }
        store.commitWaveCheck(lease, action, outcomes, failures, unreachable, across, clock.instant());
    }

    /**
     * Carries out what the pipeline decided for a node with a fatal XID (a quarantined node is cordoned and labelled
     * again) before the verdict is committed; a crash in between repeats the scan and these idempotent calls only. A
     * scheduler that does not answer leaves the verdict standing, with an event saying so.
     */
    private Decision outOfService(NodeRun run, Decision decision) {
        try {
            return effects.carryOut(decision, methods.of(run.method), schedulers.of(run.facts.labels()));
        } catch (NodeUnreachableException | RuntimeException e) {
            List<Decision.Event> events = new ArrayList<>(decision.events());
            events.add(new Decision.Event("node.cordon-failed", "could not take the node out of service in its scheduler: "
                    + e.getMessage() + "; cordon it by hand"));
            return new Decision(decision.next(), List.copyOf(events), decision.checks(), decision.effects(), decision.documentsChanged());
        }
    }

    /** The NCCL run across the wave and the node runs it covered. */
    public record Across(CheckOutcome outcome, List<Long> nodeRunIds) {
    }

    private Optional<Across> ncclAcross(WaveChecks.MultiNodeNccl nccl, List<NodeRun> nodes) {
        if (nodes.size() < 2) {
            return Optional.empty();
        }
        int gpus = nccl.gpusPerNode().orElseGet(() -> nodes.stream().mapToInt(r -> r.baselineGpuCount == null
                ? r.facts.gpuCount() : r.baselineGpuCount).min().orElse(1));
        NodeRun launcher = nodes.get(0);
        List<Long> ids = nodes.stream().map(r -> r.id).toList();
        try {
            CheckOutcome outcome = checks.ncclAcross(launcher.address(), nodes.stream().map(r -> r.nodeName).toList(), gpus,
                    nccl.size(), nccl.minBusBandwidthGBps(), nccl.timeout());
            return Optional.of(new Across(outcome, ids));
        } catch (NodeUnreachableException | RuntimeException e) {
            return Optional.of(new Across(new CheckOutcome("wave-nccl", CheckStatus.ERROR, "NCCL across " + nodes.size()
                    + " nodes could not run: " + e.getMessage(), CheckOutcome.Cause.NONE, Map.of(), ""), ids));
        }
    }

    /** As many nodes of each rack as its power budget carries at once (all of them without a budget). */
    static List<NodeRun> withinPowerBudget(List<NodeRun> nodes, Optional<PowerBudget> power) {
        if (power.isEmpty()) {
            return nodes;
        }
        List<NodeRun> chosen = new ArrayList<>();
        List<NodeFacts> drawing = new ArrayList<>();
        for (NodeRun run : nodes) {
            NodeFacts facts = RolloutStore.view(run).node();
            if (power.get().blocker(facts, drawing).isEmpty()) {
                chosen.add(run);
                drawing.add(facts);
            }
        }
        return chosen;
    }
}
