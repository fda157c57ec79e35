package io.waveline.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jboss.logging.Logger;

import io.waveline.plan.MethodSettings;
import io.waveline.rollout.port.AnswerLostException;
import io.waveline.rollout.port.CheckContext;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.rollout.port.CheckRunner;
import io.waveline.rollout.port.GpuBaseline;
import io.waveline.rollout.port.HealthCheck;
import io.waveline.rollout.port.HostReads;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeOperations;
import io.waveline.rollout.port.NodeOperationsSelection;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.UpgradeMethods;
import io.waveline.rollout.port.Upgrader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Runs one step of one node's pipeline: observes the real node for its current state (through the node's method,
 * its scheduler's {@link NodeOperations} and the checks), asks {@link NodePipeline} what follows, and carries out
 * the decision's scheduler calls ({@link NodeEffects}); the engine commits the decision with its events. A decision
 * with host actions (an install's start, a reset, a heavy check's start) is committed first, as the intent, and
 * {@link #act} carries them out after; its answer, the outcome, is committed in turn. Every observation first looks at
 * the real state, so a step run again after a crash is harmless, and an action recorded but not confirmed is
 * reconciled with what the host shows. Where the next step would only read what this one has just seen (the install
 * after the first look, the reset after the install, the end after the checks of a bare-metal node), the step decides
 * again on the run it decided, and both are committed as one ({@link Decision#then}). A node that does not answer, in
 * the observation or an effect, is decided as {@link Observation.Unreachable}; any other exception is a bug: logged
 * with its stack and decided as {@link Observation.Crashed}.
 */
@ApplicationScoped
public class NodeStepper {

    private static final Logger LOG = Logger.getLogger(NodeStepper.class);

    @Inject
    UpgradeMethods methods;

    @Inject
    NodeOperationsSelection schedulers;

    @Inject
    HealthCheck checks;

    @Inject
    NodeEffects effects;

    @Inject
    EngineSettings settings;

    @Inject
    NodePipeline pipeline;

    @Inject
    BaselinesAhead baselinesAhead;

    public Decision step(NodeRun run, Instant now) {
        Upgrader method = methods.of(run.method);
        NodeOperations node = schedulers.of(run.facts.labels());
        try {
            Optional<Observation> seen = observe(run, method, node, now);
            if (seen.isEmpty()) {
                return new Decision(run.copy(), List.of(), List.of(), List.of(), false);
            }
            Decision decided = effects.carryOut(pipeline.decide(run, seen.get(), now), method, node);
            decided = straightToInstall(seen.get(), decided, method, node, now);
            decided = straightToReset(decided, method, node, now);
            return straightToService(decided, method, node, now);
        } catch (NodeUnreachableException e) {
            return pipeline.decide(run, new Observation.Unreachable(e, method.awayAllowance(run.settings())), now);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Step %s of node %s (node run %d) failed with a bug; the node is failed, not retried", run.state,
                    run.nodeName, run.id);
            return pipeline.decide(run, new Observation.Crashed(e), now);
        }
    }

    /**
     * A node without a scheduler (bare metal) moves from its first look on to its install in the same step: the first
     * look has just read the installed versions, and no install job of this run can be on the host yet (its id is the
     * run's, and only this step and UPGRADING's start one), so the install step's own reads would answer what is known.
     * (A node in Kubernetes is not decided so: the GPU Operator's upgrade is the node's driver label, which is not the
     * run's own and may be set already.) The install's intent is committed with the cordon and the baseline. An install
     * start whose answer is lost goes back to the cordoned run, in UPGRADING with its baseline, whose next step asks the
     * host for the job as after any lost start ({@link #act}); the first look is not taken again.
     */
    private Decision straightToInstall(Observation seen, Decision cordoned, Upgrader method, NodeOperations node, Instant now)
            throws NodeUnreachableException {
        NodeRun next = cordoned.next();
        if (!(seen instanceof Observation.Cordoned c) || c.firstLook().isEmpty() || next.state != NodeState.UPGRADING
                || next.direction != Direction.FORWARD || next.jobId != null || next.pendingAction != null
                || !withoutScheduler(next, node) || !cordoned.hostActions().isEmpty()) {
            return cordoned;
        }
        Observation.Install install = new Observation.Install(JobStatus.notFound(), Optional.of(c.firstLook().get().installed()),
                Optional.of(JobStatus.notFound()), method.installer(next.wantedVersions(), next.settings()));
        return cordoned.then(effects.carryOut(pipeline.decide(next, install, now), method, node));
    }

    /**
     * A node whose install is done goes on to its reset in the same step: the reset step's observation (the boot id,
     * to see whether the install rebooted the host itself) is read now, and the reset's intent is committed with
     * {@code node.installed}. A reset whose answer does not come back goes back to the run in REBOOTING without it.
     */
    private Decision straightToReset(Decision installed, Upgrader method, NodeOperations node, Instant now)
            throws NodeUnreachableException {
        NodeRun next = installed.next();
        if (next.state != NodeState.REBOOTING || next.rebootRequestedAt != null || next.baselineBootId == null
                || next.pendingAction != null || !installed.hostActions().isEmpty()) {
            return installed;
        }
        return installed.then(effects.carryOut(pipeline.decide(next, boot(next, method, next.address(), next.settings()), now), method,
                node));
    }

    /**
     * A node that passed its checks and has no scheduler to put it back into service (bare metal) succeeds in the same
     * step: its last step only records the end, so it is decided with the checks' results.
     */
    private Decision straightToService(Decision validated, Upgrader method, NodeOperations node, Instant now)
            throws NodeUnreachableException {
        NodeRun next = validated.next();
        if (next.state != NodeState.UNCORDONING || !withoutScheduler(next, node) || !validated.hostActions().isEmpty()) {
            return validated;
        }
        return validated.then(effects.carryOut(pipeline.decide(next, new Observation.Settle(), now), method, node));
    }

    /** A node no scheduler holds (bare metal): nothing drains it, and nothing has to put it back into service. */
    private static boolean withoutScheduler(NodeRun run, NodeOperations node) {
        return !run.facts.scheduled() && !node.drains();
    }

    /**
     * Carries out the host actions of {@code decided}, committed as version {@code committed} of the node run, and
     * answers what to commit next: the run with its action confirmed (and the install's handle), or, when the node did
     * not answer, the run as it was before the intent ({@code stepped}, or the run the actions were decided on in a
     * step that decided twice) decided as unreachable, so the action is decided again at the next attempt. A reset
     * whose answer was lost after it was sent is not undone: the host may be going down, so its new boot id is awaited
     * ({@link Observation.ResetUnanswered}).
     */
    public Decision act(NodeRun stepped, Decision decided, long committed, Instant now) {
        NodeRun before = decided.actionsDecidedOn() != null ? decided.actionsDecidedOn() : stepped;
        Upgrader method = methods.of(before.method);
        NodeRun next = decided.next().copy();
        next.version = committed;
        next.pendingAction = null;
        try {
            effects.act(decided.hostActions(), next, method);
            return new Decision(next, List.of(), List.of(), List.of(), false);
        } catch (AnswerLostException e) {
            if (decided.hostActions().stream().allMatch(Decision.Reset.class::isInstance)) {
                return pipeline.decide(next, new Observation.ResetUnanswered(e), now);
            }
            return unanswered(before, committed, method, e, now);
        } catch (NodeUnreachableException e) {
            return unanswered(before, committed, method, e, now);
        } catch (RuntimeException e) {
            LOG.errorf(e, "Host action of node %s (node run %d) failed with a bug; the node is failed, not retried", before.nodeName,
                    before.id);
            NodeRun again = before.copy();
            again.version = committed;
            return pipeline.decide(again, new Observation.Crashed(e), now);
        }
    }

    /** {@code before} (the run as it was before the intent) decided as unreachable: the action is decided again next time. */
    private Decision unanswered(NodeRun before, long committed, Upgrader method, NodeUnreachableException e, Instant now) {
        NodeRun again = before.copy();
        again.version = committed;
        return pipeline.decide(again, new Observation.Unreachable(e, method.awayAllowance(before.settings())), now);
    }

    private Optional<Observation> observe(NodeRun run, Upgrader method, NodeOperations node, Instant now)
            throws NodeUnreachableException {
        NodeAddress address = run.address();
        MethodSettings plan = run.settings();
        return switch (run.state) {
            case CORDONING -> Optional.of(new Observation.Cordoned(run.baselineBootId != null ? Optional.empty()
                    : Optional.of(firstLook(run, method, address, plan, now)), node.cordon(run.nodeName, run.rolloutId), node.drains()));
            case WAITING_FOR_JOBS -> Optional.of(new Observation.Jobs(node.runningJobs(run.nodeName, run.drain.jobs().orElseThrow())));
            case DRAINING -> Optional.of(new Observation.Drained(node.drain(run.nodeName, run.drain,
                    Duration.between(run.stepStartedAt, now)), node.evictionBackoff()));
            case UPGRADING, ROLLING_BACK -> Optional.of(install(run, method, address, plan));
            case REBOOTING -> Optional.of(boot(run, method, address, plan));
            case VALIDATING -> Optional.of(validate(run, method, node, address, plan, now));
            case BURN_IN -> burnIn(run, method, address);
            case UNCORDONING -> Optional.of(new Observation.Settle());
            default -> Optional.empty();
        };
    }

    /**
     * The installed versions, the boot id and the GPU baseline before anything is done: three reads at once, or two
     * where the baseline was read ahead while the node waited in line ({@link BaselinesAhead}). The versions (the
     * rollback target) and the boot id (against which the reset is judged) are always read now.
     */
    private Observation.FirstLook firstLook(NodeRun run, Upgrader method, NodeAddress address, MethodSettings plan, Instant now)
            throws NodeUnreachableException {
        Optional<BaselinesAhead.Taken> ahead = baselinesAhead.take(run.id, now);
        HostReads.Pending<java.util.Map<String, String>> installed = HostReads.start(() -> method.installedVersions(address, plan));
        HostReads.Pending<String> bootId = HostReads.start(() -> method.bootId(address, plan));
        GpuBaseline baseline = ahead.isPresent() ? ahead.get().baseline() : baseline(method, address);
        return new Observation.FirstLook(installed.join(), baseline, bootId.join(), ahead.map(BaselinesAhead.Taken::age));
    }

    /**
     * The GPU baseline of a pending node next in line, read ahead of its start (nothing on the node changes); empty
     * where its method's checks run in pods, which take no baseline over SSH.
     */
    public Optional<GpuBaseline> readAhead(NodeRun run) throws NodeUnreachableException {
        Upgrader method = methods.of(run.method);
        return overSsh(method) ? Optional.of(checks.baseline(run.address())) : Optional.empty();
    }

    private GpuBaseline baseline(Upgrader method, NodeAddress address) throws NodeUnreachableException {
        return overSsh(method) ? checks.baseline(address) : new GpuBaseline(List.of(), java.util.Map.of(), null);
    }

    /** Whether the method's checks, and so its GPU baseline, run over SSH (not in pods, which take no baseline). */
    private static boolean overSsh(Upgrader method) {
        return !CheckRunner.POD.equals(method.checkRunner());
    }

    private Observation install(NodeRun run, Upgrader method, NodeAddress address, MethodSettings plan)
            throws NodeUnreachableException {
        String jobId = NodePipeline.installJobId(run);
        // A job this run started is asked first: its packages may show as installed before it is done (a hold, a
        // playbook's later tasks), and the node must not reboot under it.
        // It is waited for on the node up to one poll interval: its end is seen when it comes, and the next poll is due
        // as the answer comes back.
        JobStatus ours = jobId.equals(run.jobId)
                ? method.awaitJob(address, jobId, run.jobHandle, run.wantedVersions(), plan, settings.pollInterval())
                : JobStatus.notFound();
        Optional<java.util.Map<String, String>> installed = Optional.empty();
        Optional<JobStatus> fresh = Optional.empty();
        if (ours.state() == JobStatus.State.NOT_FOUND) {
            // the job is asked at the same time as the versions; its answer is used only where they are not the target
            HostReads.Pending<JobStatus> job = HostReads.start(() -> method.job(address, jobId, null, run.wantedVersions(), plan));
            installed = Optional.of(method.installedVersions(address, plan));
            if (!installed.get().entrySet().containsAll(run.wantedVersions().entrySet())) {
                fresh = Optional.of(job.join());
            }
        }
        return new Observation.Install(ours, installed, fresh, method.installer(run.wantedVersions(), plan));
    }

    private Observation boot(NodeRun run, Upgrader method, NodeAddress address, MethodSettings plan)
            throws NodeUnreachableException {
        List<Upgrader.Reset> resets = method.resets(run.wantedVersions(), plan, plan.rebootTimeout().orElse(settings.rebootTimeout()));
        if (resets.isEmpty()) {
            return new Observation.Boot(resets, Optional.empty());
        }
        try {
            // after a confirmed reset the new boot id is waited for on the node, up to one poll interval
            boolean asked = run.rebootRequestedAt != null && run.baselineBootId != null && !NodePipeline.unconfirmed(run, "reset");
            return new Observation.Boot(resets, Optional.of(asked
                    ? method.awaitBootId(address, plan, run.baselineBootId, settings.pollInterval())
                    : method.bootId(address, plan)));
        } catch (NodeUnreachableException e) {
            if (run.rebootRequestedAt == null) {
                throw e;
            }
            return new Observation.Boot(resets, comesBack(method, address, plan));
        }
    }

    /** How often a node that is down after its reset is tried again within one step. */
    static final Duration RETURN_LOOK = Duration.ofMillis(50);

    /**
     * The boot id of a node that was down after its reset, if it answers again within one poll interval: it is tried
     * every {@link #RETURN_LOOK} (a refused connection costs a millisecond; a host whose network is not up yet costs
     * the connect timeout, so it is tried once). Nothing when the poll interval is 0.
     */
    private Optional<String> comesBack(Upgrader method, NodeAddress address, MethodSettings plan) {
        return HostReads.retried(() -> method.bootId(address, plan), settings.pollInterval(), RETURN_LOOK, HostReads.Pacing.REAL);
    }

    /**
     * VALIDATING: the scheduler's readiness first (the GPU Operator validates the node again after a driver change, and
     * is waited for up to its patience so the checks do not repeat while it works), then the checks: the GPU checks
     * over SSH and the method's own proof, or, for methods whose checks run in pods, the method's proof and the plan's
     * checks in pods.
     */
    private Observation validate(NodeRun run, Upgrader method, NodeOperations node, NodeAddress address, MethodSettings plan,
            Instant now) throws NodeUnreachableException {
        Optional<NodeOperations.Readiness> readiness = node.afterUpgrade(run.nodeName,
                run.baselineAllocatable == null ? 0 : run.baselineAllocatable, plan);
        if (NodePipeline.awaitsReadiness(run, readiness, now)) {
            return new Observation.Unready(readiness.get());
        }
        boolean inPods = CheckRunner.POD.equals(method.checkRunner());
        CheckContext context = context(run, method);
        List<CheckOutcome> outcomes = new ArrayList<>();
        if (inPods) {
            method.verify(address, run.wantedVersions(), plan).ifPresent(outcomes::add);
        } else {
            outcomes.addAll(checks.run(address, context));
            if (passed(outcomes)) {
                method.verify(address, run.wantedVersions(), plan).ifPresent(outcomes::add);
            }
        }
        if (readiness.isPresent() && passed(outcomes)) {
            outcomes.add(readiness.get().outcome());
        }
        if (inPods && passed(outcomes)) {
            outcomes.addAll(checks.runRequested(address, context));
        }
        return new Observation.Checked(outcomes);
    }

    private Optional<Observation> burnIn(NodeRun run, Upgrader method, NodeAddress address) throws NodeUnreachableException {
        if (run.burnInAdmittedAt == null) {
            return Optional.empty();
        }
        List<CheckRequest> heavy = NodePipeline.heavyChecks(run);
        String jobId = NodePipeline.heavyJobId(run);
        if (run.heavyCheck >= heavy.size() || !jobId.equals(run.jobId)) {
            return Optional.of(new Observation.Heavy(false, Optional.empty()));
        }
        if (NodePipeline.unconfirmed(run, "heavy")) {
            checks.startHeavy(address, jobId, heavy.get(run.heavyCheck), context(run, method)); // does nothing if it started
        }
        return Optional.of(new Observation.Heavy(true, checks.pollHeavy(address, jobId, heavy.get(run.heavyCheck), context(run, method))));
    }

    static CheckContext context(NodeRun run, Upgrader method) {
        return new CheckContext(run.wantedVersions(), Optional.ofNullable(run.baseline), run.checks == null ? List.of() : run.checks,
                method.checkRunner());
    }

    private static boolean passed(List<CheckOutcome> outcomes) {
        return outcomes.stream().allMatch(CheckOutcome::passed);
    }
}
