package io.waveline.plan;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

import io.waveline.plan.WavePlan.PlannedWave;

/**
 * Estimates a rollout by simulating it. Pure: the start instant is an argument.
 *
 * <p>Inside a wave nodes flow in a sliding window, as the engine runs them: at every moment the first waiting
 * node (in wave order) whose start keeps every limit starts at once; a node is out of service for the plan's
 * per-node estimate (drain + upgrade + reboot + validation). Limits: the wave's {@code maxParallel}, the fleet
 * {@code maxUnavailable} counted over the pool with nodes already out of service included, each failure-domain
 * limit, and the maintenance windows (a node only starts inside one). When nothing runs and nothing may start, the
 * clock jumps to the next window opening; if no window is the reason, the wave can never finish and that is an
 * error. Waves follow one another after their soak; approval gates are counted but add no time.
 */
public final class PreviewEstimator {

    private PreviewEstimator() {
    }

    public record Result(Preview preview, List<PlanError> errors) {
    }

    public static Result estimate(String file, RolloutPlan plan, WavePlan wavePlan, Instant start) {
        Problems problems = new Problems(file);
        Duration perNode = plan.estimates().perNode();
        List<NodeFacts> pool = wavePlan.pool();
        int poolGpus = pool.stream().mapToInt(NodeFacts::gpuCount).sum();
        Set<String> alreadyOut = new LinkedHashSet<>();
        pool.stream().filter(n -> !n.available()).forEach(n -> alreadyOut.add(n.name()));
        int alreadyOutGpus = pool.stream().filter(n -> !n.available()).mapToInt(NodeFacts::gpuCount).sum();
        int maxUnavailable = plan.limits().maxUnavailable().resolve(pool.size());

        Instant clock = start;
        List<Preview.WavePreview> waves = new ArrayList<>();
        int peakNodesOut = alreadyOut.size();
        int peakGpusOut = alreadyOutGpus;
        double gpuSeconds = 0;
        int nodesToUpgrade = 0;
        for (PlannedWave wave : wavePlan.waves()) {
            WaveRun run = new WaveRun(plan, wave, pool, perNode, problems);
            Instant waveEnd = run.simulate(clock);
            int gpus = wave.nodes().stream().mapToInt(NodeFacts::gpuCount).sum();
            waves.add(new Preview.WavePreview(wave.spec().name(), wave.spec().size().toString(),
                    wave.nodes().stream().map(NodeFacts::name).toList(), gpus, clock, waveEnd,
                    Duration.between(clock, waveEnd), wave.spec().soak(), wave.spec().approvalRequired(),
                    run.peakNodesOut, List.copyOf(run.schedule)));
            peakNodesOut = Math.max(peakNodesOut, run.peakNodesOut);
            peakGpusOut = Math.max(peakGpusOut, run.peakGpusOut);
            nodesToUpgrade += wave.nodes().size();
            gpuSeconds += wave.nodes().stream().filter(NodeFacts::available)
                    .mapToDouble(n -> n.gpuCount() * (double) perNode.getSeconds()).sum();
            clock = waveEnd.plus(wave.spec().soak());
        }
        double gpuHours = gpuSeconds / 3600.0;
        BigDecimal cost = plan.estimates().gpuHourUsd().multiply(BigDecimal.valueOf(gpuHours))
                .setScale(2, RoundingMode.HALF_UP);
        double minInService = poolGpus == 0 ? 100.0
                : Math.round(10_000.0 * (poolGpus - peakGpusOut) / poolGpus) / 100.0;
        int approvals = (int) wavePlan.waves().stream().filter(w -> w.spec().approvalRequired()).count();
        List<String> notes = new ArrayList<>();
        notes.add("each node is out of service for " + Durations.format(perNode)
                + " (drain + upgrade + reboot + validation estimates)");
        if (approvals > 0) {
            notes.add(approvals + " approval gate(s): the estimate does not include the time to approve");
        }
        if (!alreadyOut.isEmpty()) {
            notes.add(alreadyOut.size() + " node(s) of the pool are out of service already and count against maxUnavailable "
                    + maxUnavailable);
        }
        if (!plan.limits().maintenanceWindows().isEmpty()) {
            notes.add("nodes start only inside the maintenance windows; times are estimates from " + start);
        }
        Preview preview = new Preview(start, clock, Duration.between(start, clock), List.copyOf(waves),
                wavePlan.skipped(), nodesToUpgrade, pool.size(), poolGpus, peakNodesOut, minInService, round(gpuHours),
                cost, approvals, List.copyOf(notes));
        return new Result(preview, problems.errors());
    }

    private static double round(double value) {
        return Math.round(value * 100.0) / 100.0;
    }

    /** One wave's simulation: a waiting list in wave order and the running nodes ordered by their end. */
    private static final class WaveRun {
        private final PlannedWave wave;
        private final StartGate gate;
        private final int alreadyOutGpus;
        private final Duration perNode;
        private final Problems problems;
        private int peakNodesOut;
        private int peakGpusOut;
        private final List<Preview.NodeSlot> schedule = new ArrayList<>();

        WaveRun(RolloutPlan plan, PlannedWave wave, List<NodeFacts> pool, Duration perNode, Problems problems) {
            this.wave = wave;
            this.gate = new StartGate(plan.limits(), pool);
            this.alreadyOutGpus = gate.alreadyOut().stream().mapToInt(NodeFacts::gpuCount).sum();
            this.perNode = perNode;
            this.problems = problems;
        }

        private record Running(NodeFacts node, Instant end) {
        }

        Instant simulate(Instant start) {
            List<NodeFacts> waiting = new ArrayList<>(wave.nodes());
            PriorityQueue<Running> running = new PriorityQueue<>(Comparator.comparing(Running::end));
            StartGate.Admission out = gate.admission(List.of());
            int gpusOut = alreadyOutGpus;
            Instant clock = start;
            Instant lastEnd = start;
            while (!waiting.isEmpty() || !running.isEmpty()) {
                int next = firstStartable(waiting, running.size(), out, clock);
                if (next >= 0) {
                    NodeFacts node = waiting.remove(next);
                    Instant end = clock.plus(perNode);
                    if (!out.isOut(node)) {
                        gpusOut += node.gpuCount();
                    }
                    out.admit(node);
                    running.add(new Running(node, end));
                    schedule.add(new Preview.NodeSlot(node.name(), clock, end));
                    lastEnd = end.isAfter(lastEnd) ? end : lastEnd;
                    peakNodesOut = Math.max(peakNodesOut, out.out());
                    peakGpusOut = Math.max(peakGpusOut, gpusOut);
                } else if (!running.isEmpty()) {
                    clock = running.peek().end();
                    while (!running.isEmpty() && !running.peek().end().isAfter(clock)) {
                        NodeFacts done = running.poll().node();
                        out.release(done);
                        if (!out.isOut(done)) { // a node out before the rollout stays out
                            gpusOut -= done.gpuCount();
                        }
                    }
                } else if (!gate.windowOpen(clock)) {
                    clock = gate.nextOpening(clock);
                } else {
                    NodeFacts stuck = waiting.get(0);
                    problems.error(wave.spec().position(), wave.spec().path(), "cannot start node " + stuck.name()
                            + ": " + gate.permanentBlocker(stuck).orElse("a limit is used up"));
                    break;
                }
            }
            return lastEnd;
        }

        /**
         * The index of the first waiting node (in wave order) that may start now, -1 when none may. The nodes out of
         * service are kept by {@code out} as they start and end, so a candidate costs the same however many are out.
         */
        private int firstStartable(List<NodeFacts> waiting, int inFlight, StartGate.Admission out, Instant clock) {
            if (gate.full(inFlight)) {
                return -1; // waiting nodes are never out already: none of them could start
            }
            for (int i = 0; i < waiting.size(); i++) {
                if (out.blocker(waiting.get(i), inFlight, wave.spec().maxParallel(), clock).isEmpty()) {
                    return i;
                }
            }
            return -1;
        }
    }
}
