package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import io.waveline.plan.MethodSpec.Method;
import io.waveline.plan.NodeFacts;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.rollout.port.DrainProgress;
import io.waveline.rollout.port.DrainSpec;
import io.waveline.rollout.port.GpuBaseline;
import io.waveline.rollout.port.HostKeyRejectedException;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeOperations;
import io.waveline.rollout.port.AnswerLostException;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.Upgrader;

/**
 * The node pipeline, state by observation, without a database, SSH or Kubernetes: each row is a node run in some
 * state, what was observed, and what a user would see afterwards (state, failure class, events, what is done on
 * the node).
 */
class NodePipelineTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final NodePipeline PIPELINE = new NodePipeline(new NodePipeline.Policy(3, Duration.ofSeconds(2), Duration.ofSeconds(1),
            Duration.ofMinutes(30)));
    static final Map<String, String> TARGET = Map.of("nvidia-driver", "570.133.20");
    static final Map<String, String> PREVIOUS = Map.of("nvidia-driver", "550.54.15");
    static final List<Upgrader.Reset> GRACEFUL_THEN_FORCED = List.of(
            new Upgrader.Reset("GracefulRestart", "graceful restart through the BMC", Duration.ofMinutes(10)),
            new Upgrader.Reset("ForceRestart", "forced restart through the BMC", Duration.ofMinutes(15)));
    static final CheckRequest DCGM_3 = new CheckRequest("dcgm-diag", Map.of("level", 3), 3600);

    /** One case: a run (built from a bare-metal node in {@code state}, then {@code setup}), an observation, the outcome. */
    record Row(String name, NodeState state, Consumer<NodeRun> setup, Observation seen, NodeState then, FailureClass failure,
            List<String> events, List<Decision.Effect> effects) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Row row(String name, NodeState state, Consumer<NodeRun> setup, Observation seen, NodeState then, FailureClass failure,
            List<String> events, Decision.Effect... effects) {
        return new Row(name, state, setup, seen, then, failure, events, List.of(effects));
    }

    static Stream<Row> rows() {
        Consumer<NodeRun> bare = r -> {
        };
        Consumer<NodeRun> kube = NodePipelineTest::inKubernetes;
        Consumer<NodeRun> ourJob = r -> r.jobId = "wl-7-up";
        Consumer<NodeRun> rebootAsked = r -> r.rebootRequestedAt = NOW.minusSeconds(60);
        Consumer<NodeRun> gracefulRanOut = r -> r.rebootRequestedAt = NOW.minus(Duration.ofMinutes(11));
        Consumer<NodeRun> forcedRanOut = r -> {
            r.rebootRequestedAt = NOW.minus(Duration.ofMinutes(16));
            r.resetStep = 1;
        };
        CheckOutcome ok = CheckOutcome.pass("nvidia-smi", "8 GPUs", Map.of(), "");
        CheckOutcome mismatch = CheckOutcome.fail("nvidia-smi", CheckOutcome.Cause.NVML_MISMATCH, "Driver/library version mismatch",
                Map.of(), "");
        CheckOutcome xid79 = CheckOutcome.fail("xid", CheckOutcome.Cause.HARDWARE, "Xid 79 on GPU 3: fallen off the bus",
                Map.of(), "xid-79");
        CheckOutcome xid13 = CheckOutcome.fail("xid", CheckOutcome.Cause.DRIVER, "Xid 13 on GPU 0", Map.of(), "xid-13");
        Observation.FirstLook look = new Observation.FirstLook(PREVIOUS, new GpuBaseline(List.of(), Map.of(), null), "boot-a");
        Observation.FirstLook wrongInventory = new Observation.FirstLook(Map.of("nvidia-driver", "535.183.01"),
                new GpuBaseline(List.of(), Map.of(), null), "boot-a");
        DrainProgress drained = new DrainProgress(true, List.of(), List.of(), Optional.empty(), false);
        DrainProgress drainTimedOut = new DrainProgress(false, List.of("ml/trainer-0"), List.of(), Optional.of("timed out after 10m"), false);
        DrainProgress pdbRefused = new DrainProgress(false, List.of("ml/trainer-0"), List.of("pdb trainer"), Optional.empty(), false);
        return Stream.of(
                // happy path, step by step
                row("a pending node starts", NodeState.PENDING, bare, new Observation.Start(), NodeState.CORDONING, null,
                        List.of("node.started")),
                row("bare metal: cordoned → upgrading", NodeState.CORDONING, bare, new Observation.Cordoned(Optional.of(look),
                        NodeOperations.Cordon.NOTHING, false), NodeState.UPGRADING, null, List.of("node.cordoned")),
                row("the inventory was wrong: the real version is the rollback target", NodeState.CORDONING, bare,
                        new Observation.Cordoned(Optional.of(wrongInventory), NodeOperations.Cordon.NOTHING, false), NodeState.UPGRADING, null,
                        List.of("node.versions-corrected", "node.cordoned")),
                row("kubernetes with training jobs to wait for", NodeState.CORDONING, kube.andThen(r -> r.drain = drain(true, "app=train")),
                        new Observation.Cordoned(Optional.of(look), new NodeOperations.Cordon(false, Optional.of(8)), true),
                        NodeState.WAITING_FOR_JOBS, null, List.of("node.cordoned")),
                row("kubernetes without jobs to wait for drains", NodeState.CORDONING, kube.andThen(r -> r.drain = drain(true, null)),
                        new Observation.Cordoned(Optional.of(look), new NodeOperations.Cordon(false, Optional.of(8)), true),
                        NodeState.DRAINING, null, List.of("node.cordoned")),
                row("jobs finished → drain", NodeState.WAITING_FOR_JOBS, kube.andThen(r -> r.drain = drain(true, "app=train")),
                        new Observation.Jobs(List.of()), NodeState.DRAINING, null, List.of("node.jobs-finished")),
                row("jobs still running: wait", NodeState.WAITING_FOR_JOBS, kube.andThen(r -> r.drain = drain(true, "app=train")),
                        new Observation.Jobs(List.of("ml/train-1")), NodeState.WAITING_FOR_JOBS, null, List.of("node.waiting-for-jobs")),
                row("jobs ran past the wait, skip-node: skipped and uncordoned", NodeState.WAITING_FOR_JOBS,
                        kube.andThen(r -> r.drain = drain(true, "app=train")).andThen(r -> r.stepStartedAt = NOW.minus(Duration.ofHours(2))),
                        new Observation.Jobs(List.of("ml/train-1")), NodeState.SKIPPED, null, List.of("node.skipped"),
                        new Decision.Uncordon("skipped")),
                row("drained → upgrading, shown on the node", NodeState.DRAINING, kube.andThen(r -> r.drain = drain(true, null)),
                        new Observation.Drained(drained, Duration.ofSeconds(5)), NodeState.UPGRADING, null, List.of("node.drained"),
                        new Decision.Mirror("upgrading", null)),
                row("a disruption budget refuses: wait", NodeState.DRAINING, kube.andThen(r -> r.drain = drain(true, null)),
                        new Observation.Drained(pdbRefused, Duration.ofSeconds(5)), NodeState.DRAINING, null, List.of("node.draining")),
                row("drain timed out without force: blocked, schedulable again", NodeState.DRAINING, kube.andThen(r -> r.drain = drain(true, null)),
                        new Observation.Drained(drainTimedOut, Duration.ofSeconds(5)), NodeState.FAILED, FailureClass.BLOCKED,
                        List.of("node.failed"), new Decision.Uncordon("drain-failed")),
                row("already at the target → reboot", NodeState.UPGRADING, bare, new Observation.Install(JobStatus.notFound(),
                        Optional.of(TARGET), Optional.empty(), "apt"), NodeState.REBOOTING, null, List.of("node.installed")),
                row("no job yet → the install starts", NodeState.UPGRADING, bare, new Observation.Install(JobStatus.notFound(),
                        Optional.of(PREVIOUS), Optional.of(JobStatus.notFound()), "apt"), NodeState.UPGRADING, null,
                        List.of("node.install-started"), new Decision.StartInstall("wl-7-up")),
                row("the install runs: wait", NodeState.UPGRADING, ourJob, new Observation.Install(JobStatus.running(), Optional.empty(),
                        Optional.empty(), "apt"), NodeState.UPGRADING, null, List.of()),
                row("the install ran past its timeout", NodeState.UPGRADING, ourJob.andThen(r -> r.stepStartedAt = NOW.minus(Duration.ofHours(1))),
                        new Observation.Install(JobStatus.running(), Optional.empty(), Optional.empty(), "apt"), NodeState.FAILED,
                        FailureClass.DRIVER, List.of("node.failed")),
                row("the install succeeded → reboot", NodeState.UPGRADING, ourJob, new Observation.Install(new JobStatus(JobStatus.State.DONE,
                        0, "done"), Optional.empty(), Optional.empty(), "apt"), NodeState.REBOOTING, null, List.of("node.installed")),
                row("the install failed: driver", NodeState.UPGRADING, ourJob, new Observation.Install(new JobStatus(JobStatus.State.DONE,
                        100, "E: Unable to locate package"), Optional.empty(), Optional.empty(), "apt"), NodeState.FAILED, FailureClass.DRIVER,
                        List.of("node.failed")),
                // resets
                row("no reset needed (BMC firmware) → validate", NodeState.REBOOTING, bare, new Observation.Boot(List.of(), Optional.empty()),
                        NodeState.VALIDATING, null, List.of("node.reset-skipped")),
                row("the first reset is asked for", NodeState.REBOOTING, bare, new Observation.Boot(GRACEFUL_THEN_FORCED, Optional.of("boot-a")),
                        NodeState.REBOOTING, null, List.of("node.reboot-requested"), new Decision.Reset(GRACEFUL_THEN_FORCED.get(0))),
                row("a new boot id → validate", NodeState.REBOOTING, rebootAsked, new Observation.Boot(GRACEFUL_THEN_FORCED,
                        Optional.of("boot-b")), NodeState.VALIDATING, null, List.of("node.rebooted")),
                row("away during the reboot: wait", NodeState.REBOOTING, rebootAsked, new Observation.Boot(GRACEFUL_THEN_FORCED,
                        Optional.empty()), NodeState.REBOOTING, null, List.of()),
                row("no new boot id within the graceful patience: escalate", NodeState.REBOOTING, gracefulRanOut,
                        new Observation.Boot(GRACEFUL_THEN_FORCED, Optional.of("boot-a")), NodeState.REBOOTING, null,
                        List.of("node.reset-escalated"), new Decision.Reset(GRACEFUL_THEN_FORCED.get(1))),
                row("not back after the last reset: hardware", NodeState.REBOOTING, forcedRanOut, new Observation.Boot(GRACEFUL_THEN_FORCED,
                        Optional.empty()), NodeState.QUARANTINED, FailureClass.HARDWARE, List.of("node.quarantined")),
                // intent before action: a host action recorded but not confirmed (Waveline stopped in between)
                row("an install recorded, not confirmed, found running: followed", NodeState.UPGRADING, ourJob.andThen(pending("install")),
                        new Observation.Install(JobStatus.running(), Optional.empty(), Optional.empty(), "apt"), NodeState.UPGRADING, null,
                        List.of("node.install-found")),
                row("an install recorded, not confirmed, not on the host: started again", NodeState.UPGRADING,
                        ourJob.andThen(pending("install")), new Observation.Install(JobStatus.notFound(), Optional.of(PREVIOUS),
                                Optional.of(JobStatus.notFound()), "apt"), NodeState.UPGRADING, null, List.of("node.install-started"),
                        new Decision.StartInstall("wl-7-up")),
                row("a reset recorded, not confirmed, the node not rebooted: asked again", NodeState.REBOOTING,
                        rebootAsked.andThen(pending("reset")), new Observation.Boot(GRACEFUL_THEN_FORCED, Optional.of("boot-a")),
                        NodeState.REBOOTING, null, List.of("node.reboot-requested"), new Decision.Reset(GRACEFUL_THEN_FORCED.get(0))),
                row("a reset recorded, not confirmed, the node away: it arrived, wait", NodeState.REBOOTING,
                        rebootAsked.andThen(pending("reset")), new Observation.Boot(GRACEFUL_THEN_FORCED, Optional.empty()),
                        NodeState.REBOOTING, null, List.of()),
                row("a reset sent, its answer lost (the host went down at once): taken as under way", NodeState.REBOOTING,
                        rebootAsked.andThen(pending("reset")), new Observation.ResetUnanswered(new AnswerLostException(
                                "gpu-01: the connection closed before \"nohup\" finished", null)),
                        NodeState.REBOOTING, null, List.of("node.reboot-answer-lost")),
                row("a reset recorded, not confirmed, the node rebooted → validate", NodeState.REBOOTING,
                        rebootAsked.andThen(pending("reset")), new Observation.Boot(GRACEFUL_THEN_FORCED, Optional.of("boot-b")),
                        NodeState.VALIDATING, null, List.of("node.rebooted")),
                row("a heavy check's start recorded, not confirmed, found on the host: resumed", NodeState.BURN_IN, admitted().andThen(r -> {
                    r.jobId = "wl-7-chk-0";
                    r.checkStartedAt = NOW.minusSeconds(30);
                }).andThen(pending("heavy")), new Observation.Heavy(true, Optional.empty()), NodeState.BURN_IN, null,
                        List.of("node.check-resumed")),
                // checks
                row("checks pass → uncordon", NodeState.VALIDATING, bare, new Observation.Checked(List.of(ok)), NodeState.UNCORDONING, null,
                        List.of("node.validated")),
                row("checks pass, heavy checks next → burn-in", NodeState.VALIDATING, r -> r.checks = List.of(DCGM_3),
                        new Observation.Checked(List.of(ok)), NodeState.BURN_IN, null, List.of("node.validated", "node.burn-in-waiting")),
                row("NVML mismatch: one more reboot", NodeState.VALIDATING, bare, new Observation.Checked(List.of(mismatch)),
                        NodeState.REBOOTING, null, List.of("node.nvml-mismatch")),
                row("NVML mismatch again: driver", NodeState.VALIDATING, r -> r.mismatchReboots = 1, new Observation.Checked(List.of(mismatch)),
                        NodeState.FAILED, FailureClass.DRIVER, List.of("node.failed")),
                row("a hardware fault on a cordoned kubernetes node: quarantined and labelled", NodeState.VALIDATING, kube,
                        new Observation.Checked(List.of(ok, xid79)), NodeState.QUARANTINED, FailureClass.HARDWARE, List.of("node.quarantined"),
                        new Decision.Mirror("quarantined", "xid: Xid 79 on GPU 3: fallen off the bus")),
                row("waiting for the GPU Operator's validators", NodeState.VALIDATING, kube, new Observation.Unready(new NodeOperations.Readiness(
                        CheckOutcome.fail("kubernetes-validator", CheckOutcome.Cause.DRIVER, "validator pod(s) not ready", Map.of(), ""),
                        Duration.ofMinutes(10))), NodeState.VALIDATING, null, List.of("node.waiting-for-validator")),
                row("burn-in not admitted yet: nothing", NodeState.BURN_IN, r -> r.checks = List.of(DCGM_3),
                        new Observation.Heavy(false, Optional.empty()), NodeState.BURN_IN, null, List.of()),
                row("burn-in admitted: the heavy check starts", NodeState.BURN_IN, admitted(), new Observation.Heavy(false, Optional.empty()),
                        NodeState.BURN_IN, null, List.of("node.check-started"), new Decision.StartHeavy("wl-7-chk-0", DCGM_3)),
                row("the heavy check ran past its timeout", NodeState.BURN_IN, admitted().andThen(r -> {
                    r.jobId = "wl-7-chk-0";
                    r.checkStartedAt = NOW.minus(Duration.ofHours(2));
                }), new Observation.Heavy(true, Optional.empty()), NodeState.FAILED, FailureClass.DRIVER, List.of("node.failed")),
                row("the last heavy check passed → uncordon next", NodeState.BURN_IN, admitted().andThen(r -> r.heavyCheck = 1),
                        new Observation.Heavy(false, Optional.empty()), NodeState.UNCORDONING, null, List.of("node.burn-in-done")),
                row("uncordoned → succeeded", NodeState.UNCORDONING, bare, new Observation.Settle(), NodeState.SUCCEEDED, null,
                        List.of("node.succeeded"), new Decision.Uncordon("succeeded")),
                // failures typed by remedy
                row("unreachable: retried", NodeState.UPGRADING, bare, unreachable(Duration.ZERO), NodeState.UPGRADING, null,
                        List.of("node.retry")),
                row("unreachable, retries used up: transient", NodeState.UPGRADING, r -> r.attempts = 2, unreachable(Duration.ZERO),
                        NodeState.FAILED, FailureClass.TRANSIENT, List.of("node.failed")),
                row("a host key refused: access, at once", NodeState.CORDONING, bare, new Observation.Unreachable(
                        new HostKeyRejectedException("presented a host key that is not in known_hosts", null), Duration.ZERO), NodeState.FAILED,
                        FailureClass.ACCESS, List.of("node.failed")),
                row("a BMC restarting after the reset is waited for", NodeState.VALIDATING, bare, unreachable(Duration.ofMinutes(10)),
                        NodeState.VALIDATING, null, List.of("node.waiting-to-answer")),
                row("a bug fails loudly, never retried", NodeState.UPGRADING, bare, new Observation.Crashed(new NullPointerException("settings")),
                        NodeState.FAILED, FailureClass.BUG, List.of("node.failed")),
                // rollback
                row("a failed node rolls back", NodeState.FAILED, r -> r.failureClass = FailureClass.DRIVER, new Observation.StartRollback(),
                        NodeState.ROLLING_BACK, FailureClass.DRIVER, List.of("node.rollback-started")),
                row("a succeeded kubernetes node is cordoned again to roll back", NodeState.SUCCEEDED, kube, new Observation.StartRollback(),
                        NodeState.CORDONING, null, List.of("node.rollback-started")),
                row("the rollback's install failed", NodeState.ROLLING_BACK, r -> {
                    r.direction = Direction.ROLLBACK;
                    r.jobId = "wl-7-rb";
                }, new Observation.Install(new JobStatus(JobStatus.State.DONE, 1, "dpkg error"), Optional.empty(), Optional.empty(), "apt"),
                        NodeState.FAILED, FailureClass.DRIVER, List.of("node.failed")),
                row("rolled back → in service", NodeState.UNCORDONING, r -> r.direction = Direction.ROLLBACK, new Observation.Settle(),
                        NodeState.ROLLED_BACK, null, List.of("node.rolled-back"), new Decision.Uncordon("rolled-back")),
                // the wave's XID scan
                row("wave XID, hardware, on a kubernetes node in service: cordoned and labelled", NodeState.SUCCEEDED, kube,
                        new Observation.WaveXid(xid79, "after wave canary"), NodeState.QUARANTINED, FailureClass.HARDWARE,
                        List.of("node.quarantined"), new Decision.Cordon(), new Decision.Mirror("quarantined",
                                "xid after wave canary: Xid 79 on GPU 3: fallen off the bus")),
                row("wave XID, driver: failed and labelled", NodeState.SUCCEEDED, kube, new Observation.WaveXid(xid13, "after wave canary"),
                        NodeState.FAILED, FailureClass.DRIVER, List.of("node.failed"), new Decision.Mirror("failed",
                                "xid after wave canary: Xid 13 on GPU 0")),
                row("wave XID on a node no longer in service changes nothing", NodeState.ROLLING_BACK, kube,
                        new Observation.WaveXid(xid79, "after wave canary"), NodeState.ROLLING_BACK, null, List.of()),
                row("a node that never started is skipped", NodeState.PENDING, bare, new Observation.Skip("rollout aborted"),
                        NodeState.SKIPPED, null, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void eachStateAndObservation(Row row) {
        NodeRun run = run(row.state());
        row.setup().accept(run);
        NodeRun before = run.copy();

        Decision decision = PIPELINE.decide(run, row.seen(), NOW);

        assertThat(decision.next().state).as("state").isEqualTo(row.then());
        assertThat(decision.next().failureClass).as("failure class").isEqualTo(row.failure());
        assertThat(decision.events()).extracting(Decision.Event::kind).as("events").containsExactlyElementsOf(row.events());
        assertThat(decision.effects()).as("effects on the node").containsExactlyElementsOf(row.effects());
        if (!decision.hostActions().isEmpty()) {
            assertThat(decision.next().pendingAction).as("a host action is recorded as pending until it is confirmed")
                    .isEqualTo(decision.hostActions().get(decision.hostActions().size() - 1).word());
        } else if (decision.next().state != before.state || decision.events().stream().anyMatch(e -> e.kind().endsWith("-found")
                || e.kind().endsWith("-resumed") || e.kind().endsWith("-answer-lost"))) {
            assertThat(decision.next().pendingAction).as("reconciled: nothing pending").isNull();
        }
        if (decision.hostActions().stream().anyMatch(a -> a instanceof Decision.StartInstall || a instanceof Decision.Reset)
                || row.seen() instanceof Observation.ResetUnanswered) {
            assertThat(decision.next().nextAttemptAt).as("an install's start or a reset: the first look follows it at once"
                    + " (over SSH it waits on the node for the end)").isEqualTo(NOW);
        } else if (decision.hostActions().isEmpty() && decision.next().state == before.state
                && (row.seen() instanceof Observation.Install || row.seen() instanceof Observation.Boot)) {
            assertThat(decision.next().nextAttemptAt).as("still waiting for the install or the reboot: the next look a poll"
                    + " interval on").isEqualTo(NOW.plusSeconds(1));
        }
        assertThat(run.state).as("the input run is left as it was").isEqualTo(before.state);
        assertThat(run.attempts).isEqualTo(before.attempts);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rows")
    void aFailedOrQuarantinedNodeSaysWhy(Row row) {
        NodeRun run = run(row.state());
        row.setup().accept(run);
        NodeRun next = PIPELINE.decide(run, row.seen(), NOW).next();
        if (next.state == NodeState.FAILED || next.state == NodeState.QUARANTINED) {
            assertThat(next.lastError).isNotBlank();
            assertThat(next.failureSignature).isNotBlank();
            assertThat(next.finishedAt).isEqualTo(NOW);
        }
    }

    static NodeRun run(NodeState state) {
        NodeRun run = new NodeRun();
        run.id = 7L;
        run.rolloutId = 3;
        run.nodeName = "gpu-h100-01";
        run.state = state;
        run.direction = Direction.FORWARD;
        run.method = Method.SSH;
        run.previousVersions = PREVIOUS;
        run.targetVersions = TARGET;
        run.facts = new NodeRun.NodeSnapshot("10.0.0.1", 22, "root", Map.of("pool", "h100"), "nvidia", "H100", 8, true, true);
        run.baselineBootId = "boot-a";
        run.stepStartedAt = NOW.minusSeconds(5);
        run.startedAt = NOW.minusSeconds(300);
        return run;
    }

    static void inKubernetes(NodeRun run) {
        run.facts = new NodeRun.NodeSnapshot("10.0.0.1", 22, "root", Map.of("pool", "h100", NodeFacts.KUBERNETES_MARKER, "true"),
                "nvidia", "H100", 8, true, true);
    }

    static DrainSpec drain(boolean enabled, String jobs) {
        return new DrainSpec(enabled, 600, 30, null, false, false, jobs, jobs == null ? 0 : 3600, jobs == null ? null : "skip-node");
    }

    static Consumer<NodeRun> pending(String action) {
        return r -> r.pendingAction = action;
    }

    static Consumer<NodeRun> admitted() {
        return r -> {
            r.checks = List.of(DCGM_3);
            r.burnInAdmittedAt = NOW.minusSeconds(10);
        };
    }

    static Observation unreachable(Duration away) {
        return new Observation.Unreachable(new NodeUnreachableException("connect timed out"), away);
    }
}
