package io.waveline.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.health.CheckContext;
import io.waveline.health.CheckOutcome;
import io.waveline.health.CheckRequest;
import io.waveline.health.GpuBaseline;
import io.waveline.health.HealthCheck;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import io.waveline.ssh.JobStatus;
import io.waveline.upgrade.PackageManager;
import io.waveline.upgrade.Upgrader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Runs one step of one node's pipeline against the real node, on a detached copy of its {@link NodeRun} that
 * the engine then commits with the step's events. Every step first looks at the real state, so running it
 * again after a crash is harmless: an install is found by its job id instead of being started twice, a reboot
 * is recognized by a new boot_id, an install already done is skipped.
 *
 * <ul>
 * <li>CORDONING: take the baseline (installed versions, which become the rollback target; boot_id; the GPUs),
 * mark the node out of service → UPGRADING.</li>
 * <li>UPGRADING / ROLLING_BACK: versions already installed → REBOOTING; else start or poll the detached install
 * job; done → REBOOTING; failed → FAILED (driver/software).</li>
 * <li>REBOOTING: request one reboot, then wait for a new boot_id → VALIDATING; no new boot_id within the reboot
 * timeout → QUARANTINED (hardware).</li>
 * <li>VALIDATING: basic checks; a driver/library mismatch gets one more reboot; any other failure → FAILED
 * (or QUARANTINED for a hardware cause) → else BURN_IN when the wave has heavy checks, or UNCORDONING.</li>
 * <li>BURN_IN: once admitted within the rack's power budget, the heavy checks run detached one by one → UNCORDONING
 * → SUCCEEDED, or ROLLED_BACK going back.</li>
 * </ul>
 * An unreachable node outside a reboot is retried with doubling delays; after the last attempt it FAILED
 * (transient). A refused host key fails the node at once (access) and no command is run there.
 */
@ApplicationScoped
public class NodeStepper {

    @Inject
    io.waveline.upgrade.PackageUpgrader packages;

    @Inject
    io.waveline.kubernetes.GpuOperatorUpgrader gpuOperator;

    @Inject
    io.waveline.redfish.RedfishUpgrader redfish;

    @Inject
    io.waveline.upgrade.AnsibleUpgrader ansible;

    @Inject
    HealthCheck checks;

    @Inject
    EngineSettings settings;

    @Inject
    io.waveline.kubernetes.KubernetesNodes kube;

    @Inject
    io.waveline.kubernetes.KubernetesSettings kubeSettings;

    public StepLog step(NodeRun run, Instant now) {
        StepLog log = new StepLog();
        NodeAddress address = new NodeAddress(run.nodeName, run.facts.address(), run.facts.sshPort(), run.facts.sshUser());
        try {
            switch (run.state) {
                case CORDONING -> cordon(run, address, now, log);
                case WAITING_FOR_JOBS -> waitForJobs(run, now, log);
                case DRAINING -> drain(run, now, log);
                case UPGRADING, ROLLING_BACK -> install(run, address, now, log);
                case REBOOTING -> reboot(run, address, now, log);
                case VALIDATING -> validate(run, address, now, log);
                case BURN_IN -> burnIn(run, address, now, log);
                case UNCORDONING -> uncordon(run, now, log);
                default -> {
                }
            }
            run.attempts = 0;
        } catch (NodeUnreachableException e) {
            if (!away(run, now, e, log)) {
                unreachable(run, now, e, log);
            }
        } catch (RuntimeException e) {
            unreachable(run, now, new NodeUnreachableException("step " + run.state + " failed: " + e, e), log);
        }
        return log;
    }

    private void cordon(NodeRun run, NodeAddress address, Instant now, StepLog log) throws NodeUnreachableException {
        if (run.baselineBootId == null) {
            Map<String, String> installed = upgrader(run).installedVersions(address, packageManager(run), run.settings());
            Map<String, String> previous = new java.util.TreeMap<>();
            run.targetVersions.keySet().forEach(c -> previous.put(c, installed.getOrDefault(c, "none")));
            if (!previous.equals(run.previousVersions)) {
                log.event("node.versions-corrected", "the node runs " + describe(previous) + ", not "
                        + describe(run.previousVersions) + " as the inventory said; that is its rollback target");
                run.previousVersions = previous;
            }
            GpuBaseline baseline = run.throughGpuOperator() ? new GpuBaseline(List.of(), Map.of(), null) : checks.baseline(address);
            run.baselineBootId = upgrader(run).bootId(address, run.settings());
            run.baseline = baseline;
            run.baselineGpuCount = baseline.count() > 0 ? baseline.count() : run.facts.gpuCount();
            if (baseline.problem() != null) {
                log.event("node.baseline-incomplete", "the baseline could not read everything (" + baseline.problem()
                        + "); the checks after the upgrade compare what was read");
            }
        }
        String cordoned = "";
        if (run.facts.kubernetes()) {
            boolean already = kube.cordon(run.nodeName, run.rolloutId);
            if (run.baselineAllocatable == null) {
                run.baselineAllocatable = kube.allocatableGpus(run.nodeName);
            }
            cordoned = "cordoned in Kubernetes" + (already ? " (it was unschedulable before and stays so afterwards)" : "")
                    + ", " + run.baselineAllocatable + " allocatable GPUs; ";
        }
        log.event("node.cordoned", "out of service; " + cordoned + "baseline: " + (run.baseline != null && run.baseline.count() > 0
                ? run.baseline.describe() : run.baselineGpuCount + " GPUs") + ", boot_id "
                + run.baselineBootId.substring(0, Math.min(8, run.baselineBootId.length())));
        if (!run.facts.kubernetes() || run.drain == null) {
            move(run, installState(run), now);
        } else if (run.drain.jobs().isPresent() && run.direction == Direction.FORWARD) {
            move(run, NodeState.WAITING_FOR_JOBS, now);
        } else {
            move(run, run.drain.enabled() ? NodeState.DRAINING : installState(run), now);
        }
    }

    private static NodeState installState(NodeRun run) {
        return run.direction == Direction.ROLLBACK ? NodeState.ROLLING_BACK : NodeState.UPGRADING;
    }

    /** WAITING_FOR_JOBS (Kubernetes): training jobs on the node finish, or the wait runs out and the plan decides. */
    private void waitForJobs(NodeRun run, Instant now, StepLog log) {
        List<String> jobs = kube.runningJobs(run.nodeName, run.drain.jobs().orElseThrow());
        NodeState next = run.drain.enabled() ? NodeState.DRAINING : installState(run);
        if (jobs.isEmpty()) {
            log.event("node.jobs-finished", "no training job left on the node");
            run.progress = null;
            move(run, next, now);
            return;
        }
        if (!now.isBefore(run.stepStartedAt.plusSeconds(run.drain.waitForJobsTimeoutSeconds()))) {
            String waited = io.waveline.plan.Durations.format(Duration.ofSeconds(run.drain.waitForJobsTimeoutSeconds()));
            if (run.drain.skipNodeWhenJobsRunLong()) {
                kube.uncordon(run.nodeName, "skipped");
                log.event("node.skipped", jobs.size() + " training job pod(s) still ran after " + waited + " (" + String.join(", ", jobs)
                        + "); the plan says skip-node: uncordoned, left as it was");
                run.progress = null;
                run.lastError = "skipped: training jobs still running after " + waited;
                run.finishedAt = now;
                move(run, NodeState.SKIPPED, now);
            } else {
                log.event("node.jobs-timeout", jobs.size() + " training job pod(s) still run after " + waited + "; the plan says drain");
                run.progress = null;
                move(run, next, now);
            }
            return;
        }
        progress(run, "waiting for " + jobs.size() + " training job pod(s) to finish: " + String.join(", ", jobs), "node.waiting-for-jobs", log);
        later(run, now);
    }

    /** DRAINING (Kubernetes): evict until the node is empty; past the timeout force or fail as the plan says. */
    private void drain(NodeRun run, Instant now, StepLog log) {
        io.waveline.kubernetes.DrainProgress drained = kube.drain(run.nodeName, run.drain, Duration.between(run.stepStartedAt, now));
        if (drained.done()) {
            log.event("node.drained", drained.describe());
            run.progress = null;
            kube.mirror(run.nodeName, run.rolloutId, run.direction == Direction.ROLLBACK ? "rolling-back" : "upgrading", Optional.empty());
            move(run, installState(run), now);
        } else if (drained.failure().isPresent()) {
            kube.uncordon(run.nodeName, "drain-failed");
            run.progress = null;
            fail(run, FailureClass.BLOCKED, "drain", "drain: " + drained.failure().get() + "; nothing was changed, the node"
                    + " is schedulable again", now, log);
        } else {
            progress(run, "draining: " + drained.describe(), "node.draining", log);
            if (drained.blockedBy().isEmpty()) {
                later(run, now);
            } else {
                run.nextAttemptAt = now.plus(kubeSettings.evictionBackoff());
            }
        }
    }

    /**
     * The firmware methods' own check: the BMC's firmware inventory (redfish) or the host tools (ssh with
     * {@code firmwareImage}) show the wanted versions after the reset.
     */
    private CheckOutcome firmwareVersions(NodeRun run, NodeAddress address) throws io.waveline.ssh.NodeUnreachableException {
        Map<String, String> running = upgrader(run).installedVersions(address, packageManager(run), run.settings());
        List<String> wrong = run.wantedVersions().entrySet().stream().filter(e -> !e.getValue().equals(running.get(e.getKey())))
                .map(e -> e.getKey() + " runs " + running.getOrDefault(e.getKey(), "nothing") + ", expected " + e.getValue()).toList();
        return wrong.isEmpty() ? CheckOutcome.pass("firmware-version", ("redfish".equals(run.method) ? "BMC reports "
                : "host tools report ") + describe(run.wantedVersions()), Map.copyOf(running), "")
                : CheckOutcome.fail("firmware-version", CheckOutcome.Cause.DRIVER, String.join("; ", wrong) + " after activation",
                        Map.copyOf(running), "");
    }

    /** The gpu-operator method's own check: the node's ready driver pod runs the wanted driver. */
    private CheckOutcome driverPod(NodeRun run, NodeAddress address) {
        String wanted = run.wantedVersions().get("nvidia-driver");
        String running = gpuOperator.installedVersions(address, packageManager(run), run.settings()).getOrDefault("nvidia-driver", "none");
        return wanted.equals(running) ? CheckOutcome.pass("driver-version", "driver pod runs " + running, Map.of("driver", running), "")
                : CheckOutcome.fail("driver-version", CheckOutcome.Cause.DRIVER, "driver pod runs " + running + ", expected " + wanted,
                        Map.of("driver", running), "");
    }

    /** Records what the node waits for; an event only when it changes. */
    private static void progress(NodeRun run, String text, String kind, StepLog log) {
        if (!text.equals(run.progress)) {
            log.event(kind, text);
            run.progress = text;
        }
    }

    private void install(NodeRun run, NodeAddress address, Instant now, StepLog log) throws NodeUnreachableException {
        Map<String, String> wanted = run.wantedVersions();
        String jobId = "wl-" + run.id + (run.direction == Direction.ROLLBACK ? "-rb" : "-up");
        // A job this run started is asked first: its packages may show as installed before it is done (a hold, a
        // playbook's later tasks), and the node must not reboot under it.
        JobStatus job = jobId.equals(run.jobId) ? upgrader(run).job(address, jobId, run.jobHandle, wanted, run.settings()) : JobStatus.notFound();
        if (job.state() == JobStatus.State.NOT_FOUND) {
            Map<String, String> installed = upgrader(run).installedVersions(address, packageManager(run), run.settings());
            if (installed.entrySet().containsAll(wanted.entrySet())) {
                log.event("node.installed", "installed " + describe(wanted));
                move(run, NodeState.REBOOTING, now);
                return;
            }
            run.jobId = jobId;
            run.jobHandle = null;
            job = upgrader(run).job(address, jobId, null, wanted, run.settings());
        }
        switch (job.state()) {
            case NOT_FOUND -> {
                run.jobHandle = upgrader(run).startInstall(address, packageManager(run), jobId, wanted, run.settings());
                String how = run.settings().containsKey("firmwareImage") ? String.join(" and ", io.waveline.upgrade.FirmwareTools
                        .tools(wanted.keySet()).stream().map(t -> t.name().toLowerCase()).toList())
                        : "ssh".equals(run.method) || run.method == null ? packageManager(run).name().toLowerCase() : run.method;
                log.event("node.install-started", "installing " + describe(wanted) + " with " + how + " (job " + jobId + ")");
                later(run, now);
            }
            case RUNNING -> {
                Optional<Duration> planned = io.waveline.plan.Durations.parse(run.settings().getOrDefault("updateTimeout", ""));
                Duration limit = planned.orElse(settings.installTimeout());
                if (now.isAfter(run.stepStartedAt.plus(limit))) {
                    fail(run, FailureClass.DRIVER, "install-timeout", "install of " + describe(wanted) + " did not finish within "
                            + io.waveline.plan.Durations.format(limit) + (planned.isPresent() ? " (method.updateTimeout)"
                                    : " (waveline.engine.install-timeout)"), now, log);
                } else {
                    later(run, now);
                }
            }
            default -> {
                if (job.succeeded()) {
                    String said = "ssh".equals(run.method) ? "" : job.output().strip().lines().findFirst().orElse("");
                    log.event("node.installed", "installed " + describe(wanted) + (said.isEmpty() ? "" : " (" + said + ")"));
                    move(run, NodeState.REBOOTING, now);
                } else {
                    String last = job.output().strip().lines().reduce((a, b) -> b).orElse("");
                    fail(run, FailureClass.DRIVER, "install-failed", "install of " + describe(wanted)
                            + " failed (exit " + job.exitStatus() + "): " + last, now, log);
                }
            }
        }
    }

    private void reboot(NodeRun run, NodeAddress address, Instant now, StepLog log) throws NodeUnreachableException {
        Duration rebootTimeout = io.waveline.plan.Durations.parse(run.settings().getOrDefault("rebootTimeout", ""))
                .orElse(settings.rebootTimeout());
        List<Upgrader.Reset> resets = upgrader(run).resets(run.wantedVersions(), run.settings(), rebootTimeout);
        if (resets.isEmpty()) {
            log.event("node.reset-skipped", "no reset needed for " + describe(run.wantedVersions()));
            move(run, NodeState.VALIDATING, now);
            return;
        }
        String bootId;
        try {
            bootId = upgrader(run).bootId(address, run.settings());
        } catch (NodeUnreachableException e) {
            if (run.rebootRequestedAt == null) {
                throw e;
            }
            bootId = null;
        }
        Upgrader.Reset current = resets.get(Math.min(run.resetStep, resets.size() - 1));
        if (bootId != null && !bootId.equals(run.baselineBootId)) {
            run.baselineBootId = bootId;
            run.rebootRequestedAt = null;
            run.resetStep = 0;
            log.event("node.rebooted", "back after the reboot (new boot_id)");
            move(run, NodeState.VALIDATING, now);
        } else if (run.rebootRequestedAt == null) {
            run.resetStep = 0;
            upgrader(run).reset(address, resets.get(0), run.settings());
            run.rebootRequestedAt = now;
            log.event("node.reboot-requested", resets.get(0).description());
            later(run, now);
        } else if (now.isAfter(run.rebootRequestedAt.plus(current.patience())) && run.resetStep + 1 < resets.size()) {
            Upgrader.Reset next = resets.get(run.resetStep + 1);
            upgrader(run).reset(address, next, run.settings());
            run.resetStep++;
            run.rebootRequestedAt = now;
            log.event("node.reset-escalated", "no new boot id " + io.waveline.plan.Durations.format(current.patience()) + " after "
                    + current.type() + ": " + next.description());
            later(run, now);
        } else if (now.isAfter(run.rebootRequestedAt.plus(current.patience()))) {
            fail(run, FailureClass.HARDWARE, "reboot-timeout", "did not come back within "
                    + io.waveline.plan.Durations.format(current.patience()) + " of the " + current.type()
                    + (resets.size() > 1 ? " (after " + resets.stream().map(Upgrader.Reset::type).reduce((a, b) -> a + ", " + b).orElse("") + ")" : ""),
                    now, log);
        } else {
            later(run, now);
        }
    }

    private void validate(NodeRun run, NodeAddress address, Instant now, StepLog log) throws NodeUnreachableException {
        // On Kubernetes the GPU Operator validates the node again after a driver change; its validator pods are waited
        // for (up to the validator timeout) before anything else runs, so the checks do not repeat while it works.
        CheckOutcome validator = null;
        if (run.facts.kubernetes()) {
            validator = kube.afterUpgrade(run.nodeName, run.baselineAllocatable == null ? 0 : run.baselineAllocatable,
                    gpuOperator.namespace(run.throughGpuOperator() ? run.settings() : Map.of()));
            Duration patience = run.throughGpuOperator() ? io.waveline.plan.Durations.parse(run.settings().getOrDefault("validatorTimeout", ""))
                    .orElse(kubeSettings.validatorTimeout()) : kubeSettings.validatorTimeout();
            if (!validator.passed() && !now.isAfter(run.stepStartedAt.plus(patience))) {
                progress(run, "waiting for the GPU Operator's validation (" + validator.summary() + "), at most "
                        + io.waveline.plan.Durations.format(patience), "node.waiting-for-validator", log);
                later(run, now);
                return;
            }
        }
        List<CheckOutcome> outcomes = new java.util.ArrayList<>(run.throughGpuOperator() ? List.of(driverPod(run, address))
                : checks.run(address, context(run)));
        if (("redfish".equals(run.method) || run.settings().containsKey("firmwareImage"))
                && outcomes.stream().allMatch(CheckOutcome::passed)) {
            outcomes.add(firmwareVersions(run, address));
        }
        if (validator != null && outcomes.stream().allMatch(CheckOutcome::passed)) {
            outcomes.add(validator);
        }
        if (run.throughGpuOperator() && outcomes.stream().allMatch(CheckOutcome::passed)) {
            outcomes.addAll(checks.runRequested(address, context(run)));
        }
        log.checks(outcomes);
        Optional<CheckOutcome> failed = outcomes.stream().filter(c -> !c.passed()).findFirst();
        if (failed.isEmpty()) {
            log.event("node.validated", outcomes.stream().map(CheckOutcome::summary).reduce((a, b) -> a + "; " + b).orElse("checks passed"));
            if (heavyChecks(run).isEmpty()) {
                move(run, NodeState.UNCORDONING, now);
            } else {
                run.burnInAdmittedAt = null;
                run.heavyCheck = 0;
                run.checkStartedAt = null;
                run.jobId = null;
                log.event("node.burn-in-waiting", "heavy checks next (" + heavyChecks(run).stream().map(CheckRequest::name)
                        .reduce((a, b) -> a + ", " + b).orElse("") + "); waiting for the rack's power budget");
                move(run, NodeState.BURN_IN, now);
            }
        } else if (failed.get().cause() == CheckOutcome.Cause.NVML_MISMATCH && run.mismatchReboots == 0) {
            run.mismatchReboots = 1;
            run.rebootRequestedAt = null;
            log.event("node.nvml-mismatch", "driver/library version mismatch after install: one more reboot, then check again");
            move(run, NodeState.REBOOTING, now);
        } else {
            failCheck(run, failed.get(), now, log);
        }
    }

    /**
     * BURN_IN, once the decider admitted the node within the rack's power budget: the wave's heavy checks run one
     * after the other as detached jobs on the node ({@code wl-<run>-chk-<n>}), polled until done or past their
     * timeout. A restart finds the job by its id instead of starting it again.
     */
    private void burnIn(NodeRun run, NodeAddress address, Instant now, StepLog log) throws NodeUnreachableException {
        if (run.burnInAdmittedAt == null) {
            return;
        }
        List<CheckRequest> heavy = heavyChecks(run);
        if (run.heavyCheck >= heavy.size()) {
            log.event("node.burn-in-done", "heavy checks passed");
            move(run, NodeState.UNCORDONING, now);
            return;
        }
        CheckRequest request = heavy.get(run.heavyCheck);
        String jobId = "wl-" + run.id + "-chk-" + run.heavyCheck;
        CheckContext context = context(run);
        if (!jobId.equals(run.jobId)) {
            checks.startHeavy(address, jobId, request, context);
            run.jobId = jobId;
            run.checkStartedAt = now;
            log.event("node.check-started", request.name() + " started (job " + jobId + ", timeout "
                    + io.waveline.plan.Durations.format(Duration.ofSeconds(request.timeoutSeconds())) + ")");
            later(run, now);
            return;
        }
        Optional<CheckOutcome> outcome = checks.pollHeavy(address, jobId, request, context);
        if (outcome.isEmpty()) {
            if (run.checkStartedAt != null && now.isAfter(run.checkStartedAt.plusSeconds(request.timeoutSeconds()))) {
                CheckOutcome late = new CheckOutcome(request.name(), io.waveline.health.CheckStatus.ERROR, request.name()
                        + " did not finish within " + io.waveline.plan.Durations.format(Duration.ofSeconds(request.timeoutSeconds())),
                        CheckOutcome.Cause.NONE, Map.of(), "");
                log.checks(List.of(late));
                failCheck(run, late, now, log);
            } else {
                later(run, now);
            }
            return;
        }
        log.checks(List.of(outcome.get()));
        if (!outcome.get().passed()) {
            failCheck(run, outcome.get(), now, log);
            return;
        }
        log.event("node.check-passed", request.name() + ": " + outcome.get().summary());
        run.heavyCheck++;
        run.jobId = null;
        run.checkStartedAt = null;
        run.nextAttemptAt = now;
    }

    private void failCheck(NodeRun run, CheckOutcome failure, Instant now, StepLog log) {
        FailureClass cause = failure.cause() == CheckOutcome.Cause.HARDWARE ? FailureClass.HARDWARE : FailureClass.DRIVER;
        fail(run, cause, failure.signature(), failure.check() + ": " + failure.summary(), now, log);
    }

    private static CheckContext context(NodeRun run) {
        return new CheckContext(run.wantedVersions(), Optional.ofNullable(run.baseline), run.checks == null ? List.of() : run.checks,
                run.throughGpuOperator() ? io.waveline.kubernetes.PodCheckRunner.KIND : io.waveline.health.SshCheckRunner.KIND);
    }

    /** The wave's heavy checks; a rollback only needs the light ones to show the node is back. */
    static List<CheckRequest> heavyChecks(NodeRun run) {
        if (run.direction == Direction.ROLLBACK || run.checks == null) {
            return List.of();
        }
        return run.checks.stream().filter(CheckRequest::heavy).toList();
    }

    private void uncordon(NodeRun run, Instant now, StepLog log) {
        boolean back = run.direction == Direction.ROLLBACK;
        if (run.facts.kubernetes()) {
            kube.uncordon(run.nodeName, back ? "rolled-back" : "succeeded");
        }
        log.event(back ? "node.rolled-back" : "node.succeeded", back ? "back on " + describe(run.previousVersions)
                + " and in service" : "on " + describe(run.targetVersions) + " and in service");
        move(run, back ? NodeState.ROLLED_BACK : NodeState.SUCCEEDED, now);
        run.finishedAt = now;
    }

    private void fail(NodeRun run, FailureClass cause, String signature, String reason, Instant now, StepLog log) {
        run.failureClass = cause;
        run.failureSignature = signature;
        run.lastError = reason;
        run.finishedAt = now;
        boolean quarantine = cause == FailureClass.HARDWARE;
        String what = run.direction == Direction.ROLLBACK ? "rollback failed: " : "";
        if (run.facts.kubernetes() && cause != FailureClass.BLOCKED) {
            try {
                kube.mirror(run.nodeName, run.rolloutId, quarantine ? "quarantined" : "failed", Optional.of(reason));
            } catch (RuntimeException e) {
                log.event("node.mirror-failed", "could not label the node in Kubernetes: " + e.getMessage());
            }
        }
        log.event(quarantine ? "node.quarantined" : "node.failed", what + reason
                + (quarantine ? " (hardware fault: the node stays cordoned)" : ""));
        move(run, quarantine ? NodeState.QUARANTINED : NodeState.FAILED, now);
    }

    /**
     * A node that is expected to be away for a while (its method's {@link Upgrader#awayAllowance}: after a reset, or
     * while its install job runs) is waited for without counting attempts; answers whether that is the case.
     */
    private boolean away(NodeRun run, Instant now, NodeUnreachableException e, StepLog log) {
        boolean expected = run.state == NodeState.VALIDATING
                || (run.state == NodeState.UPGRADING || run.state == NodeState.ROLLING_BACK) && run.jobHandle != null;
        Duration allowance = upgrader(run).awayAllowance(run.settings());
        if (!expected || allowance.isZero() || e instanceof io.waveline.ssh.HostKeyRejectedException
                || now.isAfter(run.stepStartedAt.plus(allowance))) {
            return false;
        }
        progress(run, "waiting for it to answer again, at most " + io.waveline.plan.Durations.format(allowance) + " ("
                + e.getMessage() + ")", "node.waiting-to-answer", log);
        later(run, now);
        return true;
    }

    private void unreachable(NodeRun run, Instant now, NodeUnreachableException e, StepLog log) {
        run.attempts++;
        run.lastError = e.getMessage();
        if (e instanceof io.waveline.ssh.HostKeyRejectedException) {
            fail(run, FailureClass.ACCESS, "host-key-rejected", "host key refused: " + e.getMessage(), now, log);
            return;
        }
        if (run.attempts >= settings.maxAttempts()) {
            fail(run, FailureClass.TRANSIENT, "unreachable", "unreachable after " + run.attempts + " attempts: "
                    + e.getMessage(), now, log);
            return;
        }
        long factor = 1L << Math.min(run.attempts - 1, 5);
        Duration delay = settings.retryBase().multipliedBy(factor);
        if (delay.compareTo(Duration.ofMinutes(1)) > 0) {
            delay = Duration.ofMinutes(1);
        }
        run.nextAttemptAt = now.plus(delay);
        log.event("node.retry", "attempt " + run.attempts + " of " + settings.maxAttempts() + " failed ("
                + e.getMessage() + "); retrying in " + delay.toSeconds() + "s");
    }

    private Upgrader upgrader(NodeRun run) {
        return run.throughGpuOperator() ? gpuOperator : "redfish".equals(run.method) ? redfish
                : "ansible".equals(run.method) ? ansible : packages;
    }

    private static PackageManager packageManager(NodeRun run) {
        return PackageManager.of(java.util.Optional.ofNullable(run.packageManager));
    }

    private void later(NodeRun run, Instant now) {
        run.nextAttemptAt = now.plus(settings.pollInterval());
    }

    private static void move(NodeRun run, NodeState next, Instant now) {
        run.state = next;
        run.stepStartedAt = now;
        run.nextAttemptAt = now;
    }

    static String describe(Map<String, String> versions) {
        return versions.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("nothing");
    }
}
