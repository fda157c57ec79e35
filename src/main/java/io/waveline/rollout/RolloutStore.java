package io.waveline.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.plan.NodeFacts;
import io.waveline.plan.RolloutPlan;
import io.waveline.plan.StartGate;
import io.waveline.rollout.RolloutSnapshot.NodeRunView;
import io.waveline.rollout.RolloutSnapshot.WaveView;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The engine's reads and writes. Each method is one transaction: a state change and its events are committed
 * together or not at all.
 */
@ApplicationScoped
public class RolloutStore {

    public static final String ENGINE = "engine";

    @Inject
    EntityManager em;

    @Inject
    FrozenPlans plans;

    @Inject
    NodePipeline pipeline;

    @Transactional
    public List<Long> unfinished() {
        return em.createQuery("select r.id from Rollout r where r.finishedAt is null order by r.id", Long.class)
                .getResultList();
    }

    /**
     * The decider's view of a rollout. Its node runs are read as plain columns, not as entities: none of the JSON a
     * step carries (baseline, checks, settings, versions) is loaded, so a reconcile of a large rollout stays cheap.
     */
    @Transactional
    public Optional<RolloutSnapshot> snapshot(long id) {
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            return Optional.empty();
        }
        return Optional.of(snapshotOf(rollout, views(id)));
    }

    @SuppressWarnings("unchecked")
    List<NodeRunView> views(long rolloutId) {
        List<Object[]> rows = em.createNativeQuery("select id, wave_index, node_name, cast(facts as text), state, direction,"
                + " rollback_pending, failure_class, failure_signature, next_attempt_at, burn_in_admitted_at is not null"
                + " from node_run where rollout_id = ?1 order by wave_index, position").setParameter(1, rolloutId).getResultList();
        List<NodeRunView> views = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            NodeRun.NodeSnapshot facts;
            try {
                facts = json.readValue((String) row[3], NodeRun.NodeSnapshot.class);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("node run " + row[0] + " holds unreadable facts", e);
            }
            NodeFacts node = new NodeFacts((String) row[2], facts.labels(), facts.gpuVendor(), facts.gpuModel(), facts.gpuCount(),
                    facts.nvswitch(), Map.of(), facts.available());
            views.add(new NodeRunView(((Number) row[0]).longValue(), ((Number) row[1]).intValue(), node, NodeState.valueOf((String) row[4]),
                    Direction.valueOf((String) row[5]), Boolean.TRUE.equals(row[6]),
                    Optional.ofNullable((String) row[7]).map(FailureClass::valueOf), Optional.ofNullable((String) row[8]),
                    instant(row[9]), Boolean.TRUE.equals(row[10])));
        }
        return views;
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof java.time.OffsetDateTime o) {
            return o.toInstant();
        }
        throw new IllegalStateException("not a time: " + value.getClass());
    }

    RolloutSnapshot snapshot(Rollout rollout, List<NodeRun> runs) {
        return snapshotOf(rollout, runs.stream().map(RolloutStore::view).toList());
    }

    private RolloutSnapshot snapshotOf(Rollout rollout, List<NodeRunView> runs) {
        RolloutPlan plan = plans.of(rollout);
        List<WaveView> waves = new ArrayList<>();
        List<RolloutWave> stored = RolloutWave.list("rolloutId", rollout.id);
        for (int w = 0; w < plan.waves().size(); w++) {
            int wave = w;
            Optional<RolloutWave> row = stored.stream().filter(r -> r.waveIndex == wave).findFirst();
            waves.add(new WaveView(plan.waves().get(w), runs.stream().filter(r -> r.wave() == wave).toList(),
                    row.map(r -> r.checkedAfterWaveAt != null).orElse(false),
                    row.map(r -> r.checkedAfterSoakAt != null).orElse(false)));
        }
        List<NodeFacts> pool = rollout.pool.stream().map(p -> new NodeFacts(p.name(), p.labels(), "", "", p.gpuCount(),
                false, Map.of(), p.available())).toList();
        return new RolloutSnapshot(rollout.id, rollout.state, rollout.currentWave, rollout.wavePhase, rollout.phaseSince,
                rollout.abortRequested, Optional.ofNullable(rollout.haltReason), waves,
                new StartGate(plan.limits(), pool), plan.failurePolicy(), plan.waveChecks().xid());
    }

    static NodeRunView view(NodeRun run) {
        NodeFacts facts = new NodeFacts(run.nodeName, run.facts.labels(), run.facts.gpuVendor(), run.facts.gpuModel(),
                run.facts.gpuCount(), run.facts.nvswitch(), Map.of(), run.facts.available());
        return new NodeRunView(run.id, run.waveIndex, facts, run.state, run.direction, run.rollbackPending,
                Optional.ofNullable(run.failureClass), Optional.ofNullable(run.failureSignature), run.nextAttemptAt,
                run.burnInAdmittedAt != null);
    }

    List<NodeRun> nodeRuns(long rolloutId) {
        return NodeRun.list("rolloutId = ?1 order by waveIndex, position", rolloutId);
    }

    /** Applies the decider's rollout-level actions (everything but node steps) with their events. */
    @Transactional
    public boolean apply(Lease lease, List<Action> actions, Instant now) {
        if (!holds(lease)) {
            return false;
        }
        long rolloutId = lease.rolloutId();
        Rollout rollout = Rollout.findById(rolloutId);
        for (Action action : actions) {
            if (action instanceof Action.StartNode start) {
                transition(rollout, NodeRun.findById(start.nodeRunId()), new Observation.Start(), now);
            } else if (action instanceof Action.StartRollback start) {
                transition(rollout, NodeRun.findById(start.nodeRunId()), new Observation.StartRollback(), now);
            } else if (action instanceof Action.AdmitBurnIn admit) {
                transition(rollout, NodeRun.findById(admit.nodeRunId()), new Observation.AdmitBurnIn(admit.reason()), now);
            } else if (action instanceof Action.MarkForRollback mark) {
                for (long id : mark.nodeRunIds()) {
                    NodeRun run = NodeRun.findById(id);
                    run.rollbackPending = true;
                    event(rollout, run.nodeName, now, "node.rollback-planned", mark.reason());
                }
            } else if (action instanceof Action.Skip skip) {
                for (long id : skip.nodeRunIds()) {
                    transition(rollout, NodeRun.findById(id), new Observation.Skip(skip.reason()), now);
                }
                event(rollout, null, now, "nodes.skipped", skip.nodeRunIds().size() + " node(s) not started: " + skip.reason());
            } else if (action instanceof Action.Halt halt) {
                rollout.haltReason = halt.reason();
                event(rollout, null, now, "rollout.halted", halt.reason());
            } else if (action instanceof Action.EnterPhase phase) {
                if (phase.wave() != rollout.currentWave) {
                    RolloutWave done = RolloutWave.of(rolloutId, rollout.currentWave);
                    done.phase = "DONE";
                    done.finishedAt = now;
                }
                RolloutWave wave = RolloutWave.of(rolloutId, phase.wave());
                wave.phase = phase.phase().name();
                if (phase.phase() == WavePhase.SOAKING) {
                    wave.soakStartedAt = now;
                } else if (phase.phase() == WavePhase.RUNNING) {
                    wave.startedAt = now;
                }
                rollout.currentWave = phase.wave();
                rollout.wavePhase = phase.phase();
                rollout.phaseSince = now;
                if (phase.phase() == WavePhase.AWAITING_APPROVAL) {
                    rollout.state = RolloutState.WAITING_APPROVAL;
                } else if (rollout.state == RolloutState.WAITING_APPROVAL) {
                    rollout.state = RolloutState.RUNNING;
                }
                event(rollout, null, now, "wave." + phase.phase().name().toLowerCase().replace('_', '-'), phase.reason());
            } else if (action instanceof Action.BeginRollingBack begin) {
                RolloutSnapshot snapshot = snapshot(rollout, nodeRuns(rolloutId));
                for (long id : RolloutDecider.rollbackScope(snapshot)) {
                    NodeRun run = NodeRun.findById(id);
                    run.rollbackPending = true;
                }
                rollout.state = RolloutState.ROLLING_BACK;
                event(rollout, null, now, "rollout.rolling-back", "policy " + snapshot.policy().onFailure().word()
                        + ": rolling back after " + begin.reason());
            } else if (action instanceof Action.Finish finish) {
                finish(rollout, finish.state(), finish.reason(), now);
            }
        }
        rollout.updatedAt = now;
        return true;
    }

    /** A transition decided by the node pipeline on a managed node run, with its events (no effects: nothing is done on the node). */
    private void transition(Rollout rollout, NodeRun run, Observation observation, Instant now) {
        Decision decision = pipeline.decide(run, observation, now);
        em.merge(decision.next());
        decision.events().forEach(e -> event(rollout, run.nodeName, now, e.kind(), e.message()));
    }

    void finish(Rollout rollout, RolloutState state, String reason, Instant now) {
        for (RolloutWave wave : RolloutWave.<RolloutWave>list("rolloutId = ?1 and finishedAt is null", rollout.id)) {
            wave.phase = state == RolloutState.SUCCEEDED ? "DONE" : "STOPPED";
            wave.finishedAt = now;
        }
        rollout.state = state;
        rollout.finishedAt = now;
        em.createQuery("update NodeRun n set n.active = false where n.rolloutId = ?1").setParameter(1, rollout.id)
                .executeUpdate();
        em.createNativeQuery("delete from engine_lease where rollout_id = ?1").setParameter(1, rollout.id).executeUpdate();
        event(rollout, null, now, "rollout." + state.name().toLowerCase().replace('_', '-'), reason);
    }

    /** A copy of the node run, for a step to work on outside any transaction. */
    @Transactional
    public NodeRun detached(long nodeRunId) {
        NodeRun run = NodeRun.findById(nodeRunId);
        em.detach(run);
        return run;
    }

    /**
     * Commits a step's decision and answers the node run's new version; empty, with nothing written, if someone else
     * changed the node run meanwhile or this replica no longer holds the rollout's lease.
     */
    @Transactional
    public java.util.OptionalLong commitStep(Decision decision, Lease lease, Instant now) {
        NodeRun stepped = decision.next();
        if (stepped.rolloutId != lease.rolloutId() || !holds(lease)) {
            return java.util.OptionalLong.empty();
        }
        NodeRun current = NodeRun.findById(stepped.id);
        if (current == null || current.version != stepped.version) {
            return java.util.OptionalLong.empty();
        }
        NodeRun merged = em.merge(stepped);
        Rollout rollout = Rollout.findById(stepped.rolloutId);
        for (Decision.Event entry : decision.events()) {
            event(rollout, stepped.nodeName, now, entry.kind(), entry.message());
        }
        for (CheckOutcome outcome : decision.checks()) {
            CheckRecord.of(stepped.id, stepped.direction, outcome.check(), outcome, outcome.summary(), now).persist();
        }
        em.flush();
        return java.util.OptionalLong.of(merged.version);
    }

    /** The nodes a wave-level check looks at (those the wave upgraded and that are in service), and its XID rule. */
    public record WaveScan(List<NodeRun> nodes, CheckRequest xidRequest, String waveName,
            Optional<io.waveline.plan.WaveChecks.MultiNodeNccl> nccl, Optional<io.waveline.plan.PowerBudget> power) {
    }

    @Transactional
    public WaveScan waveScan(long rolloutId, int wave) {
        Rollout rollout = Rollout.findById(rolloutId);
        RolloutPlan plan = plans.of(rollout);
        Map<String, Object> parameters = plan.checks().stream().filter(c -> c.name().equals("xid")).findFirst()
                .map(io.waveline.plan.CheckSpec::parameters).orElse(Map.of());
        List<NodeRun> nodes = new ArrayList<>();
        for (NodeRun run : nodeRuns(rolloutId)) {
            if (run.waveIndex == wave && run.state == NodeState.SUCCEEDED && run.direction == Direction.FORWARD) {
                em.detach(run);
                nodes.add(run);
            }
        }
        return new WaveScan(nodes, new CheckRequest("xid", parameters, 120), plan.waves().get(wave).name(),
                plan.waveChecks().nccl(), plan.limits().power());
    }

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    /** The wave stage's verdicts committed so far, by node run (a scan interrupted by a restart goes on from them). */
    @Transactional
    public Map<Long, CheckOutcome> scannedSoFar(long rolloutId, Action.CheckWave action) {
        Map<Long, CheckOutcome> scanned = new java.util.HashMap<>();
        for (Object row : em.createNativeQuery("select node_run_id, cast(outcome as text) from wave_scan_result where rollout_id = ?1"
                + " and wave_index = ?2 and stage = ?3").setParameter(1, rolloutId).setParameter(2, action.wave())
                .setParameter(3, action.stage().name()).getResultList()) {
            Object[] columns = (Object[]) row;
            try {
                scanned.put(((Number) columns[0]).longValue(), json.readValue((String) columns[1], CheckOutcome.class));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("an XID scan verdict stored for node run " + columns[0] + " is unreadable", e);
            }
        }
        return scanned;
    }

    /** One node's verdict of the wave stage, committed at once; nothing if this replica lost the lease. */
    @Transactional
    public boolean recordScan(Lease lease, Action.CheckWave action, long nodeRunId, CheckOutcome outcome) {
        if (!holds(lease)) {
            return false;
        }
        try {
            em.createNativeQuery("insert into wave_scan_result (rollout_id, wave_index, stage, node_run_id, outcome) values (?1, ?2, ?3,"
                    + " ?4, cast(?5 as jsonb)) on conflict do nothing").setParameter(1, lease.rolloutId()).setParameter(2, action.wave())
                    .setParameter(3, action.stage().name()).setParameter(4, nodeRunId).setParameter(5, json.writeValueAsString(outcome))
                    .executeUpdate();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot store the XID scan verdict of node run " + nodeRunId, e);
        }
        return true;
    }

    /**
     * Records a wave-level check: every verdict as a check result of its node run, a node with a fatal XID as the
     * node pipeline decided it ({@code failures}: failed for a driver cause, quarantined for hardware, its effects
     * carried out already), and the stage as done. Does nothing if the stage is recorded already; a node run that
     * changed since it was scanned keeps its state.
     */
    @Transactional
    public void commitWaveCheck(Lease lease, Action.CheckWave action, Map<Long, CheckOutcome> outcomes,
            Map<Long, Decision> failures, List<String> unreachable, Optional<WaveChecker.Across> across, Instant now) {
        long rolloutId = lease.rolloutId();
        if (!holds(lease)) {
            return;
        }
        RolloutWave wave = RolloutWave.of(rolloutId, action.wave());
        boolean afterWave = action.stage() == Action.WaveStage.AFTER_WAVE;
        if (wave == null || (afterWave ? wave.checkedAfterWaveAt : wave.checkedAfterSoakAt) != null) {
            return;
        }
        Rollout rollout = Rollout.findById(rolloutId);
        String when = action.stage().when(wave.name);
        int bad = 0;
        for (Map.Entry<Long, CheckOutcome> entry : outcomes.entrySet()) {
            NodeRun run = NodeRun.findById(entry.getKey());
            CheckOutcome outcome = entry.getValue();
            CheckRecord.of(run.id, run.direction, "wave-xid", outcome, when + ": " + outcome.summary(), now).persist();
            Decision decided = failures.get(run.id);
            if (outcome.passed() || run.state != NodeState.SUCCEEDED || decided == null || decided.next().version != run.version) {
                continue;
            }
            bad++;
            em.merge(decided.next());
            decided.events().forEach(e -> event(rollout, run.nodeName, now, e.kind(), e.message()));
        }
        String acrossSummary = "";
        if (across.isPresent()) {
            CheckOutcome outcome = across.get().outcome();
            for (long id : across.get().nodeRunIds()) {
                NodeRun run = NodeRun.findById(id);
                CheckRecord.of(run.id, run.direction, outcome.check(), outcome, when + ": " + outcome.summary(), now).persist();
            }
            acrossSummary = "; " + outcome.summary();
            if (!outcome.passed() && rollout.haltReason == null) {
                rollout.haltReason = "wave " + wave.name + " failed its " + outcome.summary();
                event(rollout, null, now, "rollout.halted", rollout.haltReason);
            }
        }
        if (afterWave) {
            wave.checkedAfterWaveAt = now;
        } else {
            wave.checkedAfterSoakAt = now;
        }
        em.createNativeQuery("delete from wave_scan_result where rollout_id = ?1 and wave_index = ?2 and stage = ?3")
                .setParameter(1, rolloutId).setParameter(2, action.wave()).setParameter(3, action.stage().name()).executeUpdate();
        String summary = "XID scan " + when + ": " + outcomes.size() + " node(s) scanned, " + bad + " with a fatal XID"
                + (unreachable.isEmpty() ? "" : "; not reachable: " + String.join(", ", unreachable)) + acrossSummary;
        event(rollout, null, now, "wave.checked", summary);
        rollout.updatedAt = now;
    }

    static void event(Rollout rollout, String node, Instant now, String kind, String message) {
        RolloutEvent.record(rollout.id, node, now, ENGINE, kind, message);
    }

    /**
     * Takes or renews this replica's lease on a rollout for {@code ttl}; empty while another replica holds a live one.
     * Expiry is judged by the database's clock ({@code now()}), the same for every replica, so a replica whose own
     * clock is off by minutes neither takes a live lease nor keeps a dead one. Taking a lease over gives it a new
     * epoch; renewing keeps it.
     */
    @Transactional
    public Optional<Lease> lease(long rolloutId, String owner, java.time.Duration ttl) {
        List<?> renewed = em.createNativeQuery("update engine_lease set expires_at = now() + ?2 * interval '1 millisecond',"
                + " epoch = case when owner = ?1 then epoch else nextval('engine_lease_epoch') end, owner = ?1"
                + " where rollout_id = ?3 and (owner = ?1 or expires_at < now()) returning epoch").setParameter(1, owner)
                .setParameter(2, ttl.toMillis()).setParameter(3, rolloutId).getResultList();
        if (renewed.isEmpty()) {
            renewed = em.createNativeQuery("insert into engine_lease (rollout_id, owner, expires_at) values (?1, ?2, now() + ?3"
                    + " * interval '1 millisecond') on conflict (rollout_id) do nothing returning epoch").setParameter(1, rolloutId)
                    .setParameter(2, owner).setParameter(3, ttl.toMillis()).getResultList();
        }
        return renewed.stream().findFirst().map(epoch -> new Lease(rolloutId, owner, ((Number) epoch).longValue()));
    }

    /**
     * Whether {@code lease} is still held, as of this transaction: the row is locked for share, so a takeover waits
     * until this transaction ends, and a commit under a lost lease cannot happen.
     */
    boolean holds(Lease lease) {
        return !em.createNativeQuery("select epoch from engine_lease where rollout_id = ?1 and owner = ?2 and epoch = ?3"
                + " and expires_at > now() for share").setParameter(1, lease.rolloutId()).setParameter(2, lease.owner())
                .setParameter(3, lease.epoch()).getResultList().isEmpty();
    }

    /** Gives up every lease of this replica (a graceful stop), so a peer takes its rollouts over at its next tick. */
    @Transactional
    public int release(String owner) {
        return em.createNativeQuery("delete from engine_lease where owner = ?1").setParameter(1, owner).executeUpdate();
    }
}
