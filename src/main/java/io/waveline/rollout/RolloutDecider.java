package io.waveline.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.plan.FailurePolicy.OnFailure;
import io.waveline.plan.NodeFacts;
import io.waveline.rollout.RolloutSnapshot.NodeRunView;
import io.waveline.rollout.RolloutSnapshot.WaveView;

/**
 * The engine's brain, pure: {@code decide(snapshot, now) → actions}. Level-triggered: it looks only at the
 * state as stored, so running it again after a crash gives the same actions.
 *
 * <p>The algorithm, in order:
 * <ol>
 * <li>Every working node whose retry time has come gets a step.</li>
 * <li>A node that failed with a driver/software fault is marked to roll back (unless the policy is
 * {@code halt}); marked nodes roll back as soon as the limits allow.</li>
 * <li>When the current wave's failures exceed its budget the rollout halts: no node starts again, pending nodes
 * are skipped, and the policy decides which upgraded nodes roll back ({@code rollback-wave}: the wave's,
 * {@code rollback-all}: every wave's, newest first, {@code rollback-failed}: only the failed ones, {@code halt}:
 * none, and failed nodes stay as they are for inspection). Once nothing works any more the rollout is
 * ROLLED_BACK ({@code rollback-wave}, {@code rollback-all}) or FAILED ({@code rollback-failed}, {@code halt}).</li>
 * <li>An abort skips the pending nodes and ends ABORTED once the started ones are done (they finish their
 * pipeline, forward or back, so nothing stays cordoned except quarantined nodes).</li>
 * <li>Otherwise the current wave runs: pending nodes start in wave order while the limits allow (not while
 * paused), and the next ones in line, as many as work in the wave, may have their GPU baseline read ahead; when all
 * are settled the wave-level checks run, the wave soaks, the wave-level checks run again (a soak of zero skips them),
 * then the next wave waits for its approval or runs; after the last, the rollout SUCCEEDED. Failures found by the
 * wave-level checks count against the wave's budget like any other.</li>
 * </ol>
 * Hardware faults quarantine a node and do not count, unless the same signature shows on more nodes of the wave
 * than the plan's {@code hardwareSignatureLimit}.
 */
public final class RolloutDecider {

    private RolloutDecider() {
    }

    public static List<Action> decide(RolloutSnapshot s, Instant now) {
        List<Action> actions = new ArrayList<>();
        if (s.state().isFinal() || s.state() == RolloutState.PENDING) {
            return actions;
        }
        List<NodeRunView> all = s.allNodes();
        for (NodeRunView node : all) {
            if (node.state().working() && !node.waitingForPower() && !node.nextAttemptAt().isAfter(now)) {
                actions.add(new Action.StepNode(node.id()));
            }
        }
        admitBurnIns(s, all, actions);
        boolean halting = s.haltReason().isPresent();
        if (!halting && s.state() != RolloutState.ROLLING_BACK) {
            Optional<String> overBudget = overBudget(s);
            if (overBudget.isPresent()) {
                actions.add(new Action.Halt(overBudget.get()));
                return actions;
            }
        }
        List<Long> toMark = new ArrayList<>();
        java.util.Set<Long> marking = new java.util.HashSet<>();
        if (s.policy().onFailure() != OnFailure.HALT) {
            all.stream().filter(n -> n.state() == NodeState.FAILED && !n.rollbackPending()
                    && n.direction() == Direction.FORWARD
                    && n.failure().orElse(FailureClass.DRIVER) != FailureClass.HARDWARE
                    && n.failure().orElse(FailureClass.DRIVER) != FailureClass.ACCESS
                    && n.failure().orElse(FailureClass.DRIVER) != FailureClass.BLOCKED
                    && n.failure().orElse(FailureClass.DRIVER) != FailureClass.BUG)
                    .forEach(n -> toMark.add(n.id()));
        }
        if (!toMark.isEmpty()) {
            actions.add(new Action.MarkForRollback(toMark, "failed nodes go back to their previous versions"));
        }
        Map<Long, String> systemic = systemicHardware(s);
        if (s.policy().onFailure() != OnFailure.HALT) {
            List<Long> sameSignature = all.stream().filter(n -> systemic.containsKey(n.id()) && !n.rollbackPending()
                    && n.direction() == Direction.FORWARD).map(NodeRunView::id).toList();
            if (!sameSignature.isEmpty()) {
                actions.add(new Action.MarkForRollback(sameSignature, "the same hardware signature ("
                        + String.join(", ", new java.util.TreeSet<>(systemic.values())) + ") on more nodes of the wave than "
                        + "hardwareSignatureLimit " + s.policy().hardwareSignatureLimit() + " allows: a driver fault after all,"
                        + " these nodes go back too"));
                toMark.addAll(sameSignature);
            }
        }
        List<NodeFacts> outOfService = new ArrayList<>(all.stream().filter(n -> n.state().outOfService())
                .map(NodeRunView::node).toList());
        startRollbacks(s, all, new java.util.HashSet<>(toMark), outOfService, now, actions);

        boolean anyWorking = all.stream().anyMatch(n -> n.state().working());
        marking.addAll(toMark);
        boolean rollbacksLeft = all.stream().anyMatch(n -> (n.rollbackPending() || marking.contains(n.id()))
                && n.direction() == Direction.FORWARD && rollbackCanStart(n));
        List<Long> pending = all.stream().filter(n -> n.state() == NodeState.PENDING).map(NodeRunView::id).toList();

        if (s.state() == RolloutState.ROLLING_BACK) {
            // A node of the rollback's scope that was still on its way forward when the rollback began goes back too.
            java.util.Set<Long> scope = halting ? new java.util.HashSet<>(rollbackScope(s)) : java.util.Set.of();
            List<Long> late = halting ? all.stream().filter(n -> scope.contains(n.id()) && !n.rollbackPending()
                    && n.direction() == Direction.FORWARD).map(NodeRunView::id).toList() : List.of();
            if (!late.isEmpty()) {
                actions.add(new Action.MarkForRollback(late, "finished after the rollback began: goes back too"));
            } else if (!anyWorking && !rollbacksLeft) {
                actions.add(new Action.Finish(RolloutState.ROLLED_BACK, "rollback finished"));
            }
            return actions;
        }
        if (halting || s.abortRequested()) {
            if (!pending.isEmpty()) {
                actions.add(new Action.Skip(pending, halting ? "the rollout halted: " + s.haltReason().get()
                        : "the rollout was aborted"));
            }
            boolean rollingBack = rollbacksLeft || all.stream().anyMatch(n -> n.direction() == Direction.ROLLBACK && n.state().working());
            OnFailure policy = s.policy().onFailure();
            if (halting && (policy == OnFailure.ROLLBACK_WAVE || policy == OnFailure.ROLLBACK_ALL)
                    && (rollingBack || hasRollbackToDo(s, all))) {
                // The rollout shows ROLLING_BACK from the moment its first node goes back, not after the forward work ends.
                actions.add(new Action.BeginRollingBack(s.haltReason().get()));
                return actions;
            }
            if (!anyWorking && !rollbacksLeft) {
                if (s.abortRequested() && !halting) {
                    actions.add(new Action.Finish(RolloutState.ABORTED, "aborted; every started node finished"));
                } else if (hasRollbackToDo(s, all)) {
                    actions.add(new Action.BeginRollingBack(s.haltReason().get()));
                } else {
                    boolean rolledBack = policy == OnFailure.ROLLBACK_WAVE || policy == OnFailure.ROLLBACK_ALL;
                    actions.add(new Action.Finish(rolledBack ? RolloutState.ROLLED_BACK : RolloutState.FAILED,
                            s.haltReason().get()));
                }
            }
            return actions;
        }
        runWave(s, all, outOfService, anyWorking || rollbacksLeft, now, actions);
        return actions;
    }

    /**
     * When the clock alone next gives this rollout something to do: the earliest poll or retry of a working node not yet
     * due, or the end of the current wave's soak. Empty when only an event (a step finishing, a command) can move it.
     * The engine wakes then instead of waiting for its next tick.
     */
    public static Optional<Instant> nextDue(RolloutSnapshot s, Instant now) {
        if (s.state().isFinal() || s.state() == RolloutState.PENDING) {
            return Optional.empty();
        }
        Instant earliest = null;
        for (WaveView wave : s.waves()) {
            for (NodeRunView node : wave.nodes()) {
                if (node.state().working() && !node.waitingForPower() && node.nextAttemptAt().isAfter(now)
                        && (earliest == null || node.nextAttemptAt().isBefore(earliest))) {
                    earliest = node.nextAttemptAt();
                }
            }
        }
        if (s.phase() == WavePhase.SOAKING && s.currentWave() < s.waves().size() && s.state() != RolloutState.PAUSED) {
            Instant soakEnd = s.phaseSince().plus(s.waves().get(s.currentWave()).spec().soak());
            if (soakEnd.isAfter(now) && (earliest == null || soakEnd.isBefore(earliest))) {
                earliest = soakEnd;
            }
        }
        return Optional.ofNullable(earliest);
    }

    private static void runWave(RolloutSnapshot s, List<NodeRunView> all, List<NodeFacts> outOfService,
            boolean busy, Instant now, List<Action> actions) {
        WaveView wave = s.waves().get(s.currentWave());
        boolean paused = s.state() == RolloutState.PAUSED;
        switch (s.phase()) {
            case AWAITING_APPROVAL:
                return;
            case RUNNING: {
                if (!paused) {
                    int workingInWave = (int) wave.nodes().stream().filter(n -> n.state().working()).count();
                    io.waveline.plan.StartGate.Admission gate = s.gate().admission(outOfService);
                    List<Long> inLine = new ArrayList<>();
                    boolean anyPending = false;
                    for (NodeRunView node : wave.nodes()) {
                        if (node.state() != NodeState.PENDING) {
                            continue;
                        }
                        anyPending = true;
                        if (gate.blocker(node.node(), workingInWave, wave.spec().maxParallel(), now).isEmpty()) {
                            actions.add(new Action.StartNode(node.id()));
                            outOfService.add(node.node());
                            gate.admit(node.node());
                            workingInWave++;
                        } else if (inLine.size() < workingInWave) {
                            inLine.add(node.id());
                        }
                    }
                    if (!anyPending) {
                        nextWaveInLine(s, wave, all, now, inLine);
                    }
                    if (!inLine.isEmpty()) {
                        actions.add(new Action.LookAhead(inLine));
                    }
                }
                boolean waveSettled = wave.nodes().stream().allMatch(n -> n.state().settled());
                if (waveSettled && !busy && s.waveXidScan() && !wave.checkedAfterWave()) {
                    actions.add(new Action.CheckWave(s.currentWave(), Action.WaveStage.AFTER_WAVE));
                } else if (waveSettled && !busy) {
                    actions.add(new Action.EnterPhase(s.currentWave(), WavePhase.SOAKING,
                            "wave " + wave.spec().name() + " done; soaking " + io.waveline.plan.Durations.format(wave.spec().soak())));
                }
                return;
            }
            default: {
                if (paused || busy || now.isBefore(s.phaseSince().plus(wave.spec().soak()))) {
                    return;
                }
                if (s.waveXidScan() && !wave.checkedAfterSoak() && !wave.spec().soak().isZero()) {
                    actions.add(new Action.CheckWave(s.currentWave(), Action.WaveStage.END_OF_SOAK));
                    return;
                }
                int next = s.currentWave() + 1;
                if (next >= s.waves().size()) {
                    actions.add(new Action.Finish(RolloutState.SUCCEEDED, "every wave done"));
                } else {
                    WaveView nextWave = s.waves().get(next);
                    actions.add(new Action.EnterPhase(next, nextWave.spec().approvalRequired()
                            ? WavePhase.AWAITING_APPROVAL : WavePhase.RUNNING, "soak of wave "
                            + wave.spec().name() + " over"));
                }
            }
        }
    }

    /**
     * Once every node of the current wave has started (the caller's check), the next wave's first window is next in
     * line: the pending nodes its limits would start at once when it begins, counting as out of service only the nodes
     * that stay so after this wave's work (the failed and quarantined ones), up to the first node the limits would hold
     * back. Their GPU baselines are read while this wave's last nodes work, so that the next wave's first nodes, too,
     * start with only their versions and boot id to read. Not when this wave soaks before the next one, nor when the
     * next one waits for an approval: those waits outlast a baseline's use.
     */
    private static void nextWaveInLine(RolloutSnapshot s, WaveView wave, List<NodeRunView> all, Instant now, List<Long> inLine) {
        int next = s.currentWave() + 1;
        if (next >= s.waves().size() || !wave.spec().soak().isZero()) {
            return;
        }
        WaveView nextWave = s.waves().get(next);
        if (nextWave.spec().approvalRequired()) {
            return;
        }
        io.waveline.plan.StartGate.Admission firstWindow = s.gate().admission(all.stream()
                .filter(n -> n.state().outOfService() && !n.state().working()).map(NodeRunView::node).toList());
        int starting = 0;
        for (NodeRunView node : nextWave.nodes()) {
            if (node.state() != NodeState.PENDING) {
                continue;
            }
            if (firstWindow.blocker(node.node(), starting, nextWave.spec().maxParallel(), now).isPresent()) {
                return;
            }
            firstWindow.admit(node.node());
            inLine.add(node.id());
            starting++;
        }
    }

    private static void startRollbacks(RolloutSnapshot s, List<NodeRunView> all, java.util.Set<Long> justMarked,
            List<NodeFacts> outOfService, Instant now, List<Action> actions) {
        List<NodeRunView> marked = all.stream()
                .filter(n -> n.rollbackPending() || justMarked.contains(n.id()))
                .filter(n -> n.direction() == Direction.FORWARD)
                .filter(RolloutDecider::rollbackCanStart)
                .sorted(Comparator.comparingInt(NodeRunView::wave).reversed())
                .toList();
        io.waveline.plan.StartGate.Admission gate = s.gate().admission(outOfService);
        for (NodeRunView node : marked) {
            boolean alreadyOut = node.state() != NodeState.SUCCEEDED;
            if (alreadyOut || gate.blocker(node.node(), 0, java.util.Optional.empty(), now).isEmpty()) {
                actions.add(new Action.StartRollback(node.id()));
                if (!alreadyOut) {
                    outOfService.add(node.node());
                    gate.admit(node.node());
                }
            }
        }
    }

    /**
     * Nodes waiting in BURN_IN start their heavy checks in wave order while their rack's power budget allows
     * (always, when the plan sets none). Started nodes finish their pipeline whatever the rollout does, so this
     * holds while paused, halting or aborting too.
     */
    private static void admitBurnIns(RolloutSnapshot s, List<NodeRunView> all, List<Action> actions) {
        List<NodeFacts> burning = new ArrayList<>(all.stream().filter(NodeRunView::underBurnIn).map(NodeRunView::node).toList());
        for (NodeRunView node : all) {
            if (!node.waitingForPower()) {
                continue;
            }
            if (s.gate().power().isEmpty()) {
                actions.add(new Action.AdmitBurnIn(node.id(), "heavy checks start (no rack power budget in the plan)"));
                continue;
            }
            io.waveline.plan.PowerBudget power = s.gate().power().get();
            if (power.blocker(node.node(), burning).isEmpty()) {
                double drawn = burning.stream().filter(n -> power.rackOf(n).equals(power.rackOf(node.node())))
                        .mapToDouble(power::drawOf).sum() + power.drawOf(node.node());
                actions.add(new Action.AdmitBurnIn(node.id(), "heavy checks start; " + power.rackLabel() + "="
                        + power.rackOf(node.node()) + " now draws about " + Math.round(drawn) + " of "
                        + Math.round(power.rackBudgetKw()) + " kW for burn-in"));
                burning.add(node.node());
            }
        }
    }

    private static boolean rollbackCanStart(NodeRunView n) {
        return n.state() == NodeState.SUCCEEDED || n.state() == NodeState.FAILED || n.state() == NodeState.QUARANTINED;
    }

    /**
     * Nodes with a hardware fault whose signature shows on more nodes of their wave than the plan's
     * {@code hardwareSignatureLimit}: node run id → signature. One GPU falling off the bus is hardware; the same XID on
     * many nodes right after the same driver went on is the driver. Nodes already rolled back still count, so a node
     * that fails the same way later joins them.
     */
    static Map<Long, String> systemicHardware(RolloutSnapshot s) {
        Map<Long, String> systemic = new HashMap<>();
        for (WaveView wave : s.waves()) {
            Map<String, List<NodeRunView>> bySignature = new HashMap<>();
            wave.nodes().stream().filter(n -> n.failureSignature().isPresent() && n.failure().isPresent()
                    && n.failure().get() == FailureClass.HARDWARE)
                    .forEach(n -> bySignature.computeIfAbsent(n.failureSignature().get(), k -> new ArrayList<>()).add(n));
            bySignature.forEach((signature, nodes) -> {
                if (nodes.size() > s.policy().hardwareSignatureLimit()) {
                    nodes.forEach(n -> systemic.put(n.id(), signature));
                }
            });
        }
        return systemic;
    }

    /** The failures that count against the current wave's budget, with the reason when over it. */
    static Optional<String> overBudget(RolloutSnapshot s) {
        if (s.phase() == WavePhase.AWAITING_APPROVAL) {
            return Optional.empty();
        }
        WaveView wave = s.waves().get(s.currentWave());
        int counted = 0;
        List<String> names = new ArrayList<>();
        for (NodeRunView node : wave.nodes()) {
            if (node.failure().isPresent() && node.failure().get() != FailureClass.HARDWARE) {
                counted++;
                names.add(node.node().name());
            }
        }
        Map<Long, String> systemic = systemicHardware(s);
        for (NodeRunView node : wave.nodes()) {
            if (systemic.containsKey(node.id())) {
                counted++;
                names.add(node.node().name() + " " + systemic.get(node.id()));
            }
        }
        int budget = s.policy().failuresAllowedPerWave().resolve(wave.nodes().size());
        if (counted > budget) {
            return Optional.of(counted + " node(s) of wave " + wave.spec().name() + " failed (" + String.join(", ", names)
                    + "), over its budget of " + budget + "; policy " + s.policy().onFailure().word());
        }
        return Optional.empty();
    }

    private static boolean hasRollbackToDo(RolloutSnapshot s, List<NodeRunView> all) {
        OnFailure policy = s.policy().onFailure();
        if (policy == OnFailure.HALT || policy == OnFailure.ROLLBACK_FAILED) {
            return false;
        }
        return all.stream().anyMatch(n -> n.state() == NodeState.SUCCEEDED
                && (policy == OnFailure.ROLLBACK_ALL || n.wave() == s.currentWave()));
    }

    /** The node runs a halt with this policy rolls back (besides the failed ones, which always go back). */
    public static List<Long> rollbackScope(RolloutSnapshot s) {
        OnFailure policy = s.policy().onFailure();
        return s.allNodes().stream().filter(n -> n.state() == NodeState.SUCCEEDED)
                .filter(n -> policy == OnFailure.ROLLBACK_ALL || (policy == OnFailure.ROLLBACK_WAVE && n.wave() == s.currentWave()))
                .map(NodeRunView::id).toList();
    }
}
