package io.waveline.rollout;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.health.CheckContext;
import io.waveline.health.CheckOutcome;
import io.waveline.health.CheckRequest;
import io.waveline.health.CheckStatus;
import io.waveline.health.HealthCheck;
import io.waveline.plan.NodeFacts;
import io.waveline.plan.PowerBudget;
import io.waveline.plan.WaveChecks;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The wave-level checks ({@link Action.CheckWave}): a fresh XID scan of every node the wave upgraded, after the
 * wave settled and again at the end of its soak. Reads the nodes, runs the scans outside any transaction, then
 * commits the verdicts with {@link RolloutStore#commitWaveCheck}, which ignores a stage already recorded, so a
 * crash in between only repeats the (read-only) scan. A node that does not answer is reported and left as it is.
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

    public void run(long rolloutId, Action.CheckWave action) {
        RolloutStore.WaveScan scan = store.waveScan(rolloutId, action.wave());
        CheckRequest xid = scan.xidRequest();
        Map<Long, CheckOutcome> outcomes = new LinkedHashMap<>();
        List<String> unreachable = new ArrayList<>();
        for (NodeRun run : scan.nodes()) {
            NodeAddress address = new NodeAddress(run.nodeName, run.facts.address(), run.facts.sshPort(), run.facts.sshUser());
            try {
                outcomes.put(run.id, checks.runOne(address, xid, CheckContext.none()));
            } catch (NodeUnreachableException | RuntimeException e) {
                unreachable.add(run.nodeName + " (" + e.getMessage() + ")");
            }
        }
        Optional<Across> across = Optional.empty();
        if (action.stage() == Action.WaveStage.AFTER_WAVE && scan.nccl().filter(n -> n.appliesTo(scan.waveName())).isPresent()) {
            List<NodeRun> healthy = scan.nodes().stream().filter(r -> outcomes.containsKey(r.id) && outcomes.get(r.id).passed()).toList();
            across = ncclAcross(scan.nccl().get(), withinPowerBudget(healthy, scan.power()));
        }
        store.commitWaveCheck(rolloutId, action, outcomes, unreachable, across, clock.instant());
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
            CheckOutcome outcome = checks.ncclAcross(address(launcher), nodes.stream().map(r -> r.nodeName).toList(), gpus,
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

    private static NodeAddress address(NodeRun run) {
        return new NodeAddress(run.nodeName, run.facts.address(), run.facts.sshPort(), run.facts.sshUser());
    }
}
