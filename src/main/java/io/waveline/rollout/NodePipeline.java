package io.waveline.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.plan.Components;
import io.waveline.plan.Durations;
import io.waveline.plan.MethodSpec.Method;
import io.waveline.rollout.Decision.Builder;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.rollout.port.HostKeyRejectedException;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeOperations;
import io.waveline.rollout.port.Upgrader;

/**
 * The node pipeline, pure: given a node run and what was observed ({@link Observation}), it answers the run's next
 * state, the events, and what to do on the node ({@link Decision}). It is the only place a node's state changes:
 * start, every step, failures, quarantine, the wave checks' verdicts and rollback all pass here. No I/O, no clock.
 *
 * <pre>
 * PENDING → CORDONING → (WAITING_FOR_JOBS) → (DRAINING) → UPGRADING → REBOOTING → VALIDATING → (BURN_IN)
 *         → UNCORDONING → SUCCEEDED
 * a failure → FAILED, or QUARANTINED when the cause is hardware; a rollback goes the same way with ROLLING_BACK
 * for UPGRADING and ends ROLLED_BACK.
 * </pre>
 * Failures are typed by remedy ({@link FailureClass}): an unreachable node is retried with doubling delays up to
 * the attempts allowed (transient), unless its method expects it to be away; a refused host key fails at once
 * (access); an unexpected exception is a bug, failed at once and never retried.
 */
public final class NodePipeline {

    /** The engine's limits the pipeline applies. */
    public record Policy(int maxAttempts, Duration retryBase, Duration pollInterval, Duration installTimeout) {
    }

    private final Policy policy;

    public NodePipeline(Policy policy) {
        this.policy = policy;
    }

    public Decision decide(NodeRun run, Observation observation, Instant now) {
        Builder d = new Builder(run);
        if (observation instanceof Observation.Start) {
            start(d, now);
        } else if (observation instanceof Observation.StartRollback) {
            startRollback(d, now);
        } else if (observation instanceof Observation.Skip s) {
            skip(d, s.reason(), now);
        } else if (observation instanceof Observation.AdmitBurnIn a) {
            admitBurnIn(d, a.reason(), now);
        } else if (observation instanceof Observation.WaveXid x) {
            waveXid(d, x, now);
        } else if (observation instanceof Observation.Cordoned c) {
            cordoned(d, c, now);
        } else if (observation instanceof Observation.Jobs j) {
            jobs(d, j.running(), now);
        } else if (observation instanceof Observation.Drained dr) {
            drained(d, dr, now);
        } else if (observation instanceof Observation.Install i) {
            InstallSteps.install(this, d, i, now);
        } else if (observation instanceof Observation.Boot b) {
            InstallSteps.boot(this, d, b, now);
        } else if (observation instanceof Observation.Unready u) {
            progress(d, "waiting for the GPU Operator's validation (" + u.readiness().outcome().summary() + "), at most "
                    + Durations.format(u.readiness().patience()), "node.waiting-for-validator").later(d, now);
        } else if (observation instanceof Observation.Checked c) {
            CheckSteps.checked(this, d, c.outcomes(), now);
        } else if (observation instanceof Observation.Heavy h) {
            CheckSteps.heavy(this, d, h, now);
        } else if (observation instanceof Observation.Settle) {
            settle(d, now);
        } else if (observation instanceof Observation.ResetUnanswered r) {
            InstallSteps.resetUnanswered(d, r, now);
        } else if (observation instanceof Observation.Unreachable u) {
            unreachable(d, u, now);
        } else if (observation instanceof Observation.Crashed c) {
            fail(d, FailureClass.BUG, "bug", "step " + run.state + " failed with a bug in Waveline: " + c.failure()
                    + " (see the service log); not retried", now);
        }
        if (observation instanceof Observation.Answered) {
            d.run.attempts = 0;
        }
        return d.build();
    }

    /** Whether VALIDATING still waits for the scheduler's view to pass (within its patience) before the checks run. */
    public static boolean awaitsReadiness(NodeRun run, Optional<NodeOperations.Readiness> readiness, Instant now) {
        return readiness.isPresent() && !readiness.get().outcome().passed()
                && !now.isAfter(run.stepStartedAt.plus(readiness.get().patience()));
    }

    /** The install job's id for this run and direction. */
    public static String installJobId(NodeRun run) {
        return "wl-" + run.id + (run.direction == Direction.ROLLBACK ? "-rb" : "-up");
    }

    /** The heavy check job's id. */
    public static String heavyJobId(NodeRun run) {
        return "wl-" + run.id + "-chk-" + run.heavyCheck;
    }

    /** The wave's heavy checks; a rollback only needs the light ones to show the node is back. */
    public static List<CheckRequest> heavyChecks(NodeRun run) {
        if (run.direction == Direction.ROLLBACK || run.checks == null) {
            return List.of();
        }
        return run.checks.stream().filter(CheckRequest::heavy).toList();
    }

    // --- from the rollout

    private void start(Builder d, Instant now) {
        NodeRun run = d.run;
        if (run.state != NodeState.PENDING) {
            return;
        }
        run.startedAt = now;
        d.event("node.started", "wave " + (run.waveIndex + 1) + ": upgrade of " + Components.describe(run.targetVersions)
                + " begins (was " + Components.describe(run.previousVersions) + ")");
        move(d, NodeState.CORDONING, now);
    }

    private void startRollback(Builder d, Instant now) {
        NodeRun run = d.run;
        boolean inService = run.state == NodeState.SUCCEEDED;
        run.direction = Direction.ROLLBACK;
        run.progress = null;
        run.rollbackPending = false;
        run.attempts = 0;
        run.jobId = null;
        run.rebootRequestedAt = null;
        run.mismatchReboots = 0;
        run.burnInAdmittedAt = null;
        run.heavyCheck = 0;
        run.checkStartedAt = null;
        run.finishedAt = null;
        d.event("node.rollback-started", "rolling back to " + Components.describe(run.previousVersions));
        move(d, inService && run.facts.scheduled() ? NodeState.CORDONING : NodeState.ROLLING_BACK, now);
    }

    private void skip(Builder d, String reason, Instant now) {
        d.run.state = NodeState.SKIPPED;
        d.run.finishedAt = now;
        d.run.lastError = reason;
    }

    private void admitBurnIn(Builder d, String reason, Instant now) {
        if (d.run.state == NodeState.BURN_IN && d.run.burnInAdmittedAt == null) {
            d.run.burnInAdmittedAt = now;
            d.run.nextAttemptAt = now;
            d.event("node.burn-in-started", reason);
        }
    }

    /** A fatal XID on a node the wave upgraded: failed, or quarantined for hardware, like a node that failed its own checks. */
    private void waveXid(Builder d, Observation.WaveXid x, Instant now) {
        if (x.outcome().passed() || d.run.state != NodeState.SUCCEEDED) {
            return;
        }
        boolean hardware = x.outcome().cause() == CheckOutcome.Cause.HARDWARE;
        fail(d, hardware ? FailureClass.HARDWARE : FailureClass.DRIVER, x.outcome().signature(), "xid " + x.when() + ": "
                + x.outcome().summary(), now);
    }

    // --- the steps

    private void cordoned(Builder d, Observation.Cordoned c, Instant now) {
        NodeRun run = d.run;
        if (c.firstLook().isPresent()) {
            Observation.FirstLook look = c.firstLook().get();
            Map<String, String> previous = new java.util.TreeMap<>();
            run.targetVersions.keySet().forEach(component -> previous.put(component, look.installed().getOrDefault(component, "none")));
            if (!previous.equals(run.previousVersions)) {
                d.event("node.versions-corrected", "the node runs " + Components.describe(previous) + ", not "
                        + Components.describe(run.previousVersions) + " as the inventory said; that is its rollback target");
                run.previousVersions = previous;
            }
            run.baselineBootId = look.bootId();
            run.baseline = look.baseline();
            run.baselineGpuCount = look.baseline().count() > 0 ? look.baseline().count() : run.facts.gpuCount();
            if (look.baseline().problem() != null) {
                d.event("node.baseline-incomplete", "the baseline could not read everything (" + look.baseline().problem()
                        + "); the checks after the upgrade compare what was read");
            }
        }
        String cordoned = "";
        if (c.cordon().allocatableGpus().isPresent()) {
            if (run.baselineAllocatable == null) {
                run.baselineAllocatable = c.cordon().allocatableGpus().get();
            }
            cordoned = "cordoned in Kubernetes" + (c.cordon().wasUnschedulable() ? " (it was unschedulable before and stays so afterwards)"
                    : "") + ", " + run.baselineAllocatable + " allocatable GPUs; ";
        }
        String ahead = c.firstLook().flatMap(Observation.FirstLook::baselineAhead).map(age -> " (GPUs read " + aheadBy(age)
                + " ahead, while the node waited in line)").orElse("");
        d.event("node.cordoned", "out of service; " + cordoned + "baseline: " + (run.baseline != null && run.baseline.count() > 0
                ? run.baseline.describe() : run.baselineGpuCount + " GPUs") + ahead + ", boot_id "
                + run.baselineBootId.substring(0, Math.min(8, run.baselineBootId.length())));
        if (!c.drains() || run.drain == null) {
            move(d, installState(run), now);
        } else if (run.drain.jobs().isPresent() && run.direction == Direction.FORWARD) {
            move(d, NodeState.WAITING_FOR_JOBS, now);
        } else {
            move(d, run.drain.enabled() ? NodeState.DRAINING : installState(run), now);
        }
    }

    /** How long ahead a baseline was read: tenths of a second under a minute, whole seconds above. */
    private static String aheadBy(Duration age) {
        return age.compareTo(Duration.ofMinutes(1)) < 0 ? String.format(java.util.Locale.ROOT, "%.1fs", age.toMillis() / 1000.0)
                : Durations.format(age);
    }

    private void jobs(Builder d, List<String> jobs, Instant now) {
        NodeRun run = d.run;
        NodeState next = run.drain.enabled() ? NodeState.DRAINING : installState(run);
        if (jobs.isEmpty()) {
            d.event("node.jobs-finished", "no training job left on the node");
            run.progress = null;
            move(d, next, now);
            return;
        }
        if (!now.isBefore(run.stepStartedAt.plusSeconds(run.drain.waitForJobsTimeoutSeconds()))) {
            String waited = Durations.format(Duration.ofSeconds(run.drain.waitForJobsTimeoutSeconds()));
            run.progress = null;
            if (run.drain.skipNodeWhenJobsRunLong()) {
                d.effect(new Decision.Uncordon("skipped"));
                d.event("node.skipped", jobs.size() + " training job pod(s) still ran after " + waited + " (" + String.join(", ", jobs)
                        + "); the plan says skip-node: uncordoned, left as it was");
                run.lastError = "skipped: training jobs still running after " + waited;
                run.finishedAt = now;
                move(d, NodeState.SKIPPED, now);
            } else {
                d.event("node.jobs-timeout", jobs.size() + " training job pod(s) still run after " + waited + "; the plan says drain");
                move(d, next, now);
            }
            return;
        }
        progress(d, "waiting for " + jobs.size() + " training job pod(s) to finish: " + String.join(", ", jobs), "node.waiting-for-jobs")
                .later(d, now);
    }

    private void drained(Builder d, Observation.Drained drained, Instant now) {
        NodeRun run = d.run;
        if (drained.progress().done()) {
            d.event("node.drained", drained.progress().describe());
            run.progress = null;
            d.effect(new Decision.Mirror(run.direction == Direction.ROLLBACK ? "rolling-back" : "upgrading", null));
            move(d, installState(run), now);
        } else if (drained.progress().failure().isPresent()) {
            d.effect(new Decision.Uncordon("drain-failed"));
            run.progress = null;
            fail(d, FailureClass.BLOCKED, "drain", "drain: " + drained.progress().failure().get() + "; nothing was changed, the node"
                    + " is schedulable again", now);
        } else {
            progress(d, "draining: " + drained.progress().describe(), "node.draining");
            if (drained.progress().blockedBy().isEmpty()) {
                later(d, now);
            } else {
                run.nextAttemptAt = now.plus(drained.evictionBackoff());
            }
        }
    }

    private void settle(Builder d, Instant now) {
        NodeRun run = d.run;
        boolean back = run.direction == Direction.ROLLBACK;
        d.effect(new Decision.Uncordon(back ? "rolled-back" : "succeeded"));
        d.event(back ? "node.rolled-back" : "node.succeeded", back ? "back on " + Components.describe(run.previousVersions)
                + " and in service" : "on " + Components.describe(run.targetVersions) + " and in service");
        move(d, back ? NodeState.ROLLED_BACK : NodeState.SUCCEEDED, now);
        run.finishedAt = now;
    }

    // --- failures

    /**
     * The failure transition, the only one: FAILED, or QUARANTINED for hardware (a node found faulty while in service is
     * taken out of it again); a scheduler's node shows why.
     */
    void fail(Builder d, FailureClass cause, String signature, String reason, Instant now) {
        NodeRun run = d.run;
        boolean inService = run.state == NodeState.SUCCEEDED;
        boolean quarantine = cause == FailureClass.HARDWARE;
        run.failureClass = cause;
        run.failureSignature = signature;
        run.lastError = reason;
        run.finishedAt = now;
        if (run.facts.scheduled() && cause != FailureClass.BLOCKED) {
            if (quarantine && inService) {
                d.effect(new Decision.Cordon());
            }
            d.effect(new Decision.Mirror(quarantine ? "quarantined" : "failed", reason));
        }
        d.event(quarantine ? "node.quarantined" : "node.failed", (run.direction == Direction.ROLLBACK ? "rollback failed: " : "")
                + reason + (quarantine ? inService ? " (hardware fault: the node is taken out of service)"
                        : " (hardware fault: the node stays cordoned)" : ""));
        move(d, quarantine ? NodeState.QUARANTINED : NodeState.FAILED, now);
    }

    void failCheck(Builder d, CheckOutcome failure, Instant now) {
        fail(d, failure.cause() == CheckOutcome.Cause.HARDWARE ? FailureClass.HARDWARE : FailureClass.DRIVER, failure.signature(),
                failure.check() + ": " + failure.summary(), now);
    }

    private void unreachable(Builder d, Observation.Unreachable u, Instant now) {
        NodeRun run = d.run;
        boolean expected = run.state == NodeState.VALIDATING
                || (run.state == NodeState.UPGRADING || run.state == NodeState.ROLLING_BACK) && run.jobHandle != null;
        boolean hostKey = u.failure() instanceof HostKeyRejectedException;
        if (expected && !hostKey && !u.awayAllowance().isZero() && !now.isAfter(run.stepStartedAt.plus(u.awayAllowance()))) {
            progress(d, "waiting for it to answer again, at most " + Durations.format(u.awayAllowance()) + " ("
                    + u.failure().getMessage() + ")", "node.waiting-to-answer").later(d, now);
            return;
        }
        run.attempts++;
        run.lastError = u.failure().getMessage();
        if (hostKey) {
            fail(d, FailureClass.ACCESS, "host-key-rejected", "host key refused: " + u.failure().getMessage(), now);
            return;
        }
        if (run.attempts >= policy.maxAttempts()) {
            fail(d, FailureClass.TRANSIENT, "unreachable", "unreachable after " + run.attempts + " attempts: "
                    + u.failure().getMessage(), now);
            return;
        }
        Duration delay = policy.retryBase().multipliedBy(1L << Math.min(run.attempts - 1, 5));
        if (delay.compareTo(Duration.ofMinutes(1)) > 0) {
            delay = Duration.ofMinutes(1);
        }
        run.nextAttemptAt = now.plus(delay);
        d.event("node.retry", "attempt " + run.attempts + " of " + policy.maxAttempts() + " failed ("
                + u.failure().getMessage() + "); retrying in " + delay.toSeconds() + "s");
    }

    // --- small moves

    static NodeState installState(NodeRun run) {
        return run.direction == Direction.ROLLBACK ? NodeState.ROLLING_BACK : NodeState.UPGRADING;
    }

    /** Records what the node waits for; an event only when it changes. */
    NodePipeline progress(Builder d, String text, String kind) {
        if (!text.equals(d.run.progress)) {
            d.event(kind, text);
            d.run.progress = text;
        }
        return this;
    }

    /** Whether the run's last host action of this kind was recorded but not confirmed (Waveline stopped in between). */
    static boolean unconfirmed(NodeRun run, String action) {
        return action.equals(run.pendingAction);
    }

    void later(Builder d, Instant now) {
        d.run.nextAttemptAt = now.plus(policy.pollInterval());
    }

    /**
     * After a host action whose end is awaited (an install's start, a reset): the first look is due as soon as the
     * action is confirmed, not a poll interval later. Over SSH that look waits on the node for the end (up to a poll
     * interval); a method that cannot wait answers at once, and its later looks follow the poll interval.
     */
    static void lookRightAfter(Builder d, Instant now) {
        d.run.nextAttemptAt = now;
    }

    Duration installTimeout() {
        return policy.installTimeout();
    }

    static void move(Builder d, NodeState next, Instant now) {
        d.run.pendingAction = null;
        d.run.state = next;
        d.run.stepStartedAt = now;
        d.run.nextAttemptAt = now;
    }

    /** A heavy check that ran past its timeout. */
    static CheckOutcome late(CheckRequest request) {
        return new CheckOutcome(request.name(), CheckStatus.ERROR, request.name() + " did not finish within "
                + Durations.format(Duration.ofSeconds(request.timeoutSeconds())), CheckOutcome.Cause.NONE, Map.of(), "");
    }

    /** What the job printed first, for methods whose job says something worth showing. */
    static String said(NodeRun run, JobStatus job) {
        return run.method == Method.SSH ? "" : job.output().strip().lines().findFirst().orElse("");
    }

    static Upgrader.Reset resetAt(List<Upgrader.Reset> resets, int step) {
        return resets.get(Math.min(step, resets.size() - 1));
    }
}
