package io.waveline.rollout;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.waveline.fleet.FleetNode;
import io.waveline.plan.ComponentTarget;
import io.waveline.plan.NodeFacts;
import io.waveline.plan.PlanError;
import io.waveline.plan.PlanReview;
import io.waveline.plan.RolloutPlan;
import io.waveline.plan.WavePlan;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The commands users give a rollout: start, pause, resume, abort, approve, rollback. A start takes a plan only as
 * valid as {@code POST /api/v1/plans/validate} says (the same {@link PlanReview}); what it adds depends on live
 * state: the same idempotency key, overlap with a running rollout, no node left. Each command checks that it makes
 * sense in the rollout's state, changes the state and records an event naming its actor, in one transaction,
 * then wakes the engine.
 *
 * <p>Semantics: pause stops new nodes from starting (nodes under way finish their pipeline); abort skips the
 * nodes not yet started and lets the started ones finish (forward, or back when they fail), so nothing stays
 * cordoned except quarantined nodes; rollback (of a finished rollout) returns every upgraded node to its previous
 * versions, newest wave first.
 */
@ApplicationScoped
public class RolloutCommands {

    @Inject
    io.waveline.plan.CredentialsCheck credentials;

    @Inject
    EntityManager em;

    @Inject
    Clock clock;

    @Inject
    RolloutEngine engine;

    @Inject
    RolloutStore store;

    @Inject
    FrozenPlans plans;

    /** The advisory lock (PostgreSQL) every start holds until it commits. */
    static final long START_LOCK = 0x5741564553L;

    /** A plan that failed validation when asked to start. */
    public static final class InvalidPlan extends RuntimeException {
        private final List<PlanError> errors;

        public InvalidPlan(List<PlanError> errors) {
            super(errors.size() + " error(s); the first: " + errors.get(0));
            this.errors = errors;
        }

        public List<PlanError> errors() {
            return errors;
        }
    }

    public record Started(Rollout rollout, boolean created) {
    }

    @Transactional
    public Started start(String planName, String planText, List<FleetNode> fleet, String actor, Optional<String> idempotencyKey) {
        if (idempotencyKey.isPresent()) {
            Optional<Rollout> earlier = Rollout.find("idempotencyKey", idempotencyKey.get()).firstResultOptional();
            if (earlier.isPresent()) {
                return new Started(earlier.get(), false);
            }
        }
        Instant now = clock.instant();
        List<NodeFacts> facts = fleet.stream().map(FleetNode::facts).toList();
        PlanReview review = PlanReview.of(planName + ".yaml", planText, facts, now, credentials);
        if (!review.valid()) {
            throw new InvalidPlan(review.errors());
        }
        RolloutPlan plan = review.plan().orElseThrow();
        WavePlan wavePlan = review.wavePlan().orElseThrow();
        // Starts are serialized (across replicas too) from here to the commit, so that the same Idempotency-Key finds
        // the rollout a concurrent start made, and two starts of overlapping nodes see each other.
        em.createNativeQuery("select pg_advisory_xact_lock(" + START_LOCK + ")").getSingleResult();
        if (idempotencyKey.isPresent()) {
            Optional<Rollout> earlier = Rollout.find("idempotencyKey", idempotencyKey.get()).firstResultOptional();
            if (earlier.isPresent()) {
                return new Started(earlier.get(), false);
            }
        }
        List<String> names = wavePlan.waves().stream().flatMap(w -> w.nodes().stream()).map(NodeFacts::name).toList();
        if (names.isEmpty()) {
            List<String> reasons = wavePlan.skipped().stream().limit(5).map(n -> n.name() + ": " + n.detail()).toList();
            throw new RolloutConflict("plan " + plan.name() + " leaves no node to upgrade" + (reasons.isEmpty() ? ""
                    : " (" + String.join("; ", reasons) + (wavePlan.skipped().size() > 5 ? "; …" : "") + ")")
                    + "; nothing was started");
        }
        refuseOverlap(names);

        Rollout rollout = new Rollout();
        rollout.planName = plan.name();
        rollout.planText = planText;
        rollout.planSha256 = review.sha256();
        boolean approvalFirst = plan.waves().get(0).approvalRequired();
        rollout.state = approvalFirst ? RolloutState.WAITING_APPROVAL : RolloutState.RUNNING;
        rollout.wavePhase = approvalFirst ? WavePhase.AWAITING_APPROVAL : WavePhase.RUNNING;
        rollout.phaseSince = now;
        rollout.startedBy = actor;
        rollout.idempotencyKey = idempotencyKey.orElse(null);
        rollout.pool = wavePlan.pool().stream().map(n -> new Rollout.PoolNode(n.name(), n.labels(), n.gpuCount(),
                n.available())).toList();
        rollout.createdAt = now;
        rollout.updatedAt = now;
        rollout.persist();

        Map<String, FleetNode> byName = new LinkedHashMap<>();
        fleet.forEach(n -> byName.put(n.name(), n));
        Map<String, String> target = new TreeMap<>();
        plan.target().components().forEach((ComponentTarget c) -> target.put(c.component(), c.version()));
        io.waveline.plan.MethodSettings methodSettings = plan.method().typed();
        Map<String, String> settings = Map.copyOf(plan.method().settings());
        io.waveline.rollout.port.DrainSpec drain = io.waveline.rollout.port.DrainSpec.of(plan.drain());
        for (int w = 0; w < wavePlan.waves().size(); w++) {
            List<NodeFacts> nodes = wavePlan.waves().get(w).nodes();
            String waveName = plan.waves().get(w).name();
            List<io.waveline.rollout.port.CheckRequest> checks = plan.checks().stream().filter(c -> c.appliesTo(waveName))
                    .map(c -> new io.waveline.rollout.port.CheckRequest(c.name(), c.parameters(), c.timeout().toSeconds()))
                    .toList();
            RolloutWave wave = new RolloutWave();
            wave.rolloutId = rollout.id;
            wave.waveIndex = w;
            wave.name = plan.waves().get(w).name();
            wave.nodes = nodes.size();
            wave.phase = w > 0 ? "PENDING" : rollout.wavePhase.name();
            wave.startedAt = w == 0 && !approvalFirst ? now : null;
            wave.persist();
            for (int i = 0; i < nodes.size(); i++) {
                FleetNode node = byName.get(nodes.get(i).name());
                NodeRun run = new NodeRun();
                run.rolloutId = rollout.id;
                run.nodeName = node.name();
                run.waveIndex = w;
                run.position = i;
                run.state = NodeState.PENDING;
                run.direction = Direction.FORWARD;
                Map<String, String> previous = new TreeMap<>();
                target.keySet().forEach(c -> previous.put(c, node.versions().getOrDefault(c, "none")));
                run.previousVersions = previous;
                run.targetVersions = target;
                run.facts = new NodeRun.NodeSnapshot(node.address(), methodSettings.port().orElse(node.sshPort()),
                        methodSettings.user().orElse(node.sshUser()), node.labels(),
                        node.gpuVendor(), node.gpuModel(), node.gpuCount(), node.nvswitch(), node.available());
                run.packageManager = methodSettings.packageManager().orElse("apt");
                run.drain = drain;
                run.method = plan.method().type();
                run.methodSettings = settings;
                run.checks = checks;
                run.nextAttemptAt = now;
                run.active = true;
                run.persist();
            }
        }
        em.flush();
        RolloutEvent.record(rollout.id, null, now, actor, "rollout.started", "plan " + plan.name() + " (sha256 "
                + review.sha256().substring(0, 12) + "): " + names.size() + " node(s) in " + plan.waves().size()
                + " wave(s)" + (approvalFirst ? "; the first wave waits for approval" : ""));
        if (approvalFirst) {
            RolloutEvent.record(rollout.id, null, now, RolloutStore.ENGINE, "wave.awaiting-approval", "wave "
                    + plan.waves().get(0).name() + " waits for approval");
        }
        wakeAfterCommit(rollout.id);
        return new Started(rollout, true);
    }

    private void refuseOverlap(List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        // One array parameter, not one bind parameter per node: a 10,000-node start asks in one short statement.
        List<String> described = em.unwrap(org.hibernate.Session.class).doReturningWork(connection -> {
            try (java.sql.PreparedStatement query = connection.prepareStatement("select node_name, rollout_id from node_run "
                    + "where active and node_name = any (?) order by node_name limit 5")) {
                query.setArray(1, connection.createArrayOf("text", names.toArray()));
                List<String> found = new ArrayList<>();
                try (java.sql.ResultSet rows = query.executeQuery()) {
                    while (rows.next()) {
                        found.add(rows.getString(1) + " (rollout " + rows.getLong(2) + ")");
                    }
                }
                return found;
            }
        });
        if (!described.isEmpty()) {
            throw new RolloutConflict("nodes are already in an unfinished rollout: " + String.join(", ", described)
                    + "; wait for it to finish or abort it");
        }
    }

    @Transactional
    public Rollout pause(long id, String actor) {
        Rollout rollout = find(id);
        requireState(rollout, "pause", RolloutState.RUNNING, RolloutState.WAITING_APPROVAL);
        rollout.state = RolloutState.PAUSED;
        return record(rollout, actor, "rollout.paused", "paused: no new node starts; nodes under way finish");
    }

    @Transactional
    public Rollout resume(long id, String actor) {
        Rollout rollout = find(id);
        requireState(rollout, "resume", RolloutState.PAUSED);
        rollout.state = rollout.wavePhase == WavePhase.AWAITING_APPROVAL ? RolloutState.WAITING_APPROVAL : RolloutState.RUNNING;
        return record(rollout, actor, "rollout.resumed", "resumed");
    }

    @Transactional
    public Rollout abort(long id, String actor) {
        Rollout rollout = find(id);
        requireState(rollout, "abort", RolloutState.RUNNING, RolloutState.PAUSED, RolloutState.WAITING_APPROVAL);
        if (rollout.abortRequested) {
            return rollout;
        }
        rollout.abortRequested = true;
        if (rollout.state != RolloutState.RUNNING) {
            rollout.state = RolloutState.RUNNING;
        }
        return record(rollout, actor, "rollout.abort-requested", "abort: nodes not started are skipped; started nodes "
                + "finish their pipeline");
    }

    /**
     * Approves the waiting wave. {@code approverRole}: whether the actor holds the approver role, checked here again
     * (behind the REST API's {@code @RolesAllowed} and chat's role check), so no path to this command skips it.
     */
    @Transactional
    public Rollout approve(long id, String actor, boolean approverRole) {
        return approve(id, actor, approverRole, java.util.OptionalLong.empty());
    }

    /**
     * As above; {@code request}: the approval request this approval answers (the id of its {@code wave.awaiting-approval}
     * event, as an Approve button carries it): refused unless it is the one the rollout waits for now.
     */
    @Transactional
    public Rollout approve(long id, String actor, boolean approverRole, java.util.OptionalLong request) {
        if (!approverRole) {
            throw new RolloutForbidden(actor + " may not approve waves: that needs the approver role");
        }
        Rollout rollout = find(id);
        requireState(rollout, "approve", RolloutState.WAITING_APPROVAL);
        if (request.isPresent()) {
            Long waiting = em.createQuery("select max(e.id) from RolloutEvent e where e.rolloutId = ?1 and e.kind = ?2", Long.class)
                    .setParameter(1, id).setParameter(2, "wave.awaiting-approval").getSingleResult();
            if (waiting == null || waiting != request.getAsLong()) {
                throw new RolloutConflict("this button answered an earlier approval of rollout " + id + "; wave "
                        + (rollout.currentWave + 1) + " waits for its own: use the button of its message or /waveline approve " + id);
            }
        }
        if (plans.of(rollout).twoPersonApproval() && actor.equals(rollout.startedBy)) {
            throw new RolloutForbidden("the plan asks for two people: " + actor + " started rollout " + id
                    + " and cannot also approve its waves; ask another approver");
        }
        rollout.wavePhase = WavePhase.RUNNING;
        rollout.phaseSince = clock.instant();
        rollout.state = RolloutState.RUNNING;
        RolloutWave wave = RolloutWave.of(id, rollout.currentWave);
        wave.phase = WavePhase.RUNNING.name();
        wave.approvedBy = actor;
        wave.approvedAt = rollout.phaseSince;
        wave.startedAt = rollout.phaseSince;
        return record(rollout, actor, "wave.approved", "wave " + (rollout.currentWave + 1) + " approved");
    }

    @Transactional
    public Rollout rollback(long id, String actor) {
        Rollout rollout = find(id);
        requireState(rollout, "roll back", RolloutState.SUCCEEDED, RolloutState.FAILED, RolloutState.ABORTED);
        List<NodeRun> upgraded = NodeRun.list("rolloutId = ?1 and state = ?2 and direction = ?3", id,
                NodeState.SUCCEEDED, Direction.FORWARD);
        if (upgraded.isEmpty()) {
            throw new RolloutConflict("rollout " + id + " has no upgraded node to roll back");
        }
        if (upgraded.get(0).settings().noRollback()) {
            throw new RolloutConflict("rollout " + id + " (plan " + rollout.planName + ") says method.rollback: none: what it"
                    + " installed cannot go back, so Waveline does not pretend to roll it back; roll forward with a new plan");
        }
        refuseOverlap(upgraded.stream().map(r -> r.nodeName).toList());
        for (NodeRun run : upgraded) {
            run.rollbackPending = true;
        }
        em.createQuery("update NodeRun n set n.active = true where n.rolloutId = ?1").setParameter(1, id).executeUpdate();
        rollout.state = RolloutState.ROLLING_BACK;
        rollout.finishedAt = null;
        return record(rollout, actor, "rollout.rollback-requested", upgraded.size()
                + " upgraded node(s) go back to their previous versions, newest wave first");
    }

    private Rollout record(Rollout rollout, String actor, String kind, String message) {
        Instant now = clock.instant();
        rollout.updatedAt = now;
        RolloutEvent.record(rollout.id, null, now, actor, kind, message);
        wakeAfterCommit(rollout.id);
        return rollout;
    }

    @Inject
    RolloutRevisions revisions;

    @Inject
    AfterCommit afterCommit;

    private void wakeAfterCommit(long rolloutId) {
        afterCommit.run(() -> {
            revisions.commanded(rolloutId);
            engine.wake();
        });
    }

    private static Rollout find(long id) {
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            throw new RolloutNotFound("no rollout " + id);
        }
        return rollout;
    }

    private static void requireState(Rollout rollout, String command, RolloutState... allowed) {
        for (RolloutState state : allowed) {
            if (rollout.state == state) {
                return;
            }
        }
        throw new RolloutConflict("cannot " + command + " rollout " + rollout.id + ": it is " + rollout.state
                + "; " + command + " applies to " + java.util.Arrays.toString(allowed));
    }
}
