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
     * The decider's view of a rollout, read from the database. Its node runs are read as plain columns, not as
     * entities: none of the JSON a step carries (baseline, checks, settings, versions) is loaded.
     */
    @Transactional
    public Optional<RolloutSnapshot> snapshot(long id) {
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            return Optional.empty();
        }
        return Optional.of(snapshotOf(rollout, views(id, Map.of()).stream().map(HeldViews.Entry::view).toList(), pool(id)));
    }

    @Inject
    HeldViews held;

    /**
     * The decider's view of a rollout this replica holds under {@code lease}: the node runs from {@link HeldViews},
     * read from the database only when the lease is new or the held view was marked stale (each engine tick), and then
     * without their facts, which do not change during a rollout.
     */
    @Transactional
    public Optional<RolloutSnapshot> snapshot(Lease lease) {
        long id = lease.rolloutId();
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            return Optional.empty();
        }
        Optional<HeldViews.Held> current = held.current(id, lease.epoch());
        if (current.isEmpty()) {
            Optional<HeldViews.Held> earlier = held.earlier(id);
            Map<Long, NodeFacts> facts = earlier.map(h -> h.facts).orElse(Map.of());
            List<HeldViews.Entry> entries = views(id, facts);
            HeldViews.Held loaded = new HeldViews.Held(lease.epoch(), entries.stream().map(e -> e.view().id()).toList(),
                    earlier.isPresent() ? facts : entries.stream().collect(java.util.stream.Collectors.toMap(e -> e.view().id(),
                            e -> e.view().node())), earlier.map(h -> h.pool).orElseGet(() -> pool(id)));
            held.load(id, loaded, entries);
            current = Optional.of(loaded);
        }
        return Optional.of(snapshotOf(rollout, current.get().views(), current.get().pool));
    }

    /** The rollout's pool as frozen at start (what the limits count over), read without loading the entity's other columns. */
    private List<NodeFacts> pool(long rolloutId) {
        Object text = em.createNativeQuery("select cast(pool as text) from rollout where id = ?1").setParameter(1, rolloutId)
                .getSingleResult();
        if (text == null) {
            return List.of();
        }
        try {
            List<Rollout.PoolNode> pool = json.readValue((String) text, new com.fasterxml.jackson.core.type.TypeReference<List<Rollout.PoolNode>>() {
            });
            return pool.stream().map(p -> new NodeFacts(p.name(), p.labels(), "", "", p.gpuCount(), false, Map.of(), p.available()))
                    .toList();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("rollout " + rolloutId + " holds an unreadable pool", e);
        }
    }

    /** The node runs as plain columns with their versions; the facts of those in {@code known} are taken from there, not parsed again. */
    @SuppressWarnings("unchecked")
    List<HeldViews.Entry> views(long rolloutId, Map<Long, NodeFacts> known) {
        List<Object[]> rows = em.createNativeQuery("select id, wave_index, node_name, case when ?2 then null else cast(facts as text) end,"
                + " state, direction, rollback_pending, failure_class, failure_signature, next_attempt_at, burn_in_admitted_at is not null,"
                + " version from node_run where rollout_id = ?1 order by wave_index, position").setParameter(1, rolloutId)
                .setParameter(2, !known.isEmpty()).getResultList();
        List<HeldViews.Entry> views = new ArrayList<>(rows.size());
        for (Object[] row : rows) {
            long id = ((Number) row[0]).longValue();
            NodeFacts node = known.get(id);
            if (node == null) {
                node = facts(id, (String) row[2], row[3] == null ? readFacts(id) : (String) row[3]);
            }
            views.add(new HeldViews.Entry(((Number) row[11]).longValue(), new NodeRunView(id, ((Number) row[1]).intValue(), node,
                    NodeState.valueOf((String) row[4]), Direction.valueOf((String) row[5]), Boolean.TRUE.equals(row[6]),
                    Optional.ofNullable((String) row[7]).map(FailureClass::valueOf), Optional.ofNullable((String) row[8]),
                    instant(row[9]), Boolean.TRUE.equals(row[10]))));
        }
        return views;
    }

    private String readFacts(long nodeRunId) {
        return (String) em.createNativeQuery("select cast(facts as text) from node_run where id = ?1").setParameter(1, nodeRunId)
                .getSingleResult();
    }

    private NodeFacts facts(long nodeRunId, String name, String text) {
        NodeRun.NodeSnapshot facts;
        try {
            facts = json.readValue(text, NodeRun.NodeSnapshot.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("node run " + nodeRunId + " holds unreadable facts", e);
        }
        return new NodeFacts(name, facts.labels(), facts.gpuVendor(), facts.gpuModel(), facts.gpuCount(), facts.nvswitch(), Map.of(),
                facts.available());
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
        return snapshotOf(rollout, runs.stream().map(RolloutStore::view).toList(), pool(rollout.id));
    }

    private RolloutSnapshot snapshotOf(Rollout rollout, List<NodeRunView> runs, List<NodeFacts> pool) {
        RolloutPlan plan = plans.of(rollout);
        List<WaveView> waves = new ArrayList<>();
        List<RolloutWave> stored = RolloutWave.list("rolloutId", rollout.id);
        List<List<NodeRunView>> byWave = new ArrayList<>();
        for (int w = 0; w < plan.waves().size(); w++) {
            byWave.add(new ArrayList<>());
        }
        for (NodeRunView run : runs) {
            byWave.get(run.wave()).add(run);
        }
        for (int w = 0; w < plan.waves().size(); w++) {
            int wave = w;
            Optional<RolloutWave> row = stored.stream().filter(r -> r.waveIndex == wave).findFirst();
            waves.add(new WaveView(plan.waves().get(w), byWave.get(w), row.map(r -> r.checkedAfterWaveAt != null).orElse(false),
                    row.map(r -> r.checkedAfterSoakAt != null).orElse(false)));
        }
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
        List<Long> touched = new ArrayList<>();
        for (Action action : actions) {
            if (action instanceof Action.StartNode start) {
                touched.add(start.nodeRunId());
            } else if (action instanceof Action.StartRollback start) {
                touched.add(start.nodeRunId());
            } else if (action instanceof Action.AdmitBurnIn admit) {
                touched.add(admit.nodeRunId());
            } else if (action instanceof Action.MarkForRollback mark) {
                touched.addAll(mark.nodeRunIds());
            } else if (action instanceof Action.Skip skip) {
                touched.addAll(skip.nodeRunIds());
            }
        }
        byIds(touched); // one query a block: the finds below are answered from the session
        List<RolloutEvent> events = new ArrayList<>(); // the node transitions' events, inserted as one batch
        for (Action action : actions) {
            if (!nodeTransition(action)) {
                // Events keep the order of the actions: the node events gathered so far go in before this action's own.
                rows.insertEvents(em, events);
                events.clear();
            }
            if (action instanceof Action.StartNode start) {
                transition(rollout, NodeRun.findById(start.nodeRunId()), new Observation.Start(), now, events);
            } else if (action instanceof Action.StartRollback start) {
                transition(rollout, NodeRun.findById(start.nodeRunId()), new Observation.StartRollback(), now, events);
            } else if (action instanceof Action.AdmitBurnIn admit) {
                transition(rollout, NodeRun.findById(admit.nodeRunId()), new Observation.AdmitBurnIn(admit.reason()), now, events);
            } else if (action instanceof Action.MarkForRollback mark) {
                for (long id : mark.nodeRunIds()) {
                    NodeRun run = NodeRun.findById(id);
                    run.rollbackPending = true;
                    event(rollout, run.nodeName, now, "node.rollback-planned", mark.reason());
                }
            } else if (action instanceof Action.Skip skip) {
                for (long id : skip.nodeRunIds()) {
                    transition(rollout, NodeRun.findById(id), new Observation.Skip(skip.reason()), now, events);
                }
                rows.insertEvents(em, events);
                events.clear();
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
        em.flush();
        rows.insertEvents(em, events);
        List<NodeRun> changed = touched.stream().map(id -> (NodeRun) NodeRun.findById(id)).toList();
        boolean rolledBack = actions.stream().anyMatch(a -> a instanceof Action.BeginRollingBack || a instanceof Action.Finish);
        boolean rolloutLevel = !actions.stream().allMatch(RolloutStore::nodeTransition);
        afterCommit.run(() -> {
            if (rolloutLevel) {
                revisions.changed(rolloutId);
            }
            if (rolledBack) {
                held.stale(rolloutId);
            } else {
                changed.forEach(held::committed);
            }
        });
        return true;
    }

    @Inject
    RolloutRevisions revisions;

    @Inject
    AfterCommit afterCommit;

    /**
     * Whether the action is one node's transition (a start, a rollback's start, a burn-in's admission) rather than a
     * change of the rollout (a phase, a halt, skipped nodes, a rollback, the end). Only the latter counts in
     * {@link RolloutRevisions}, so readers see it at once: a large rollout admits nodes many times a second, and each
     * would send every reader of its summary to the database; the node counts show within the summary's max age.
     */
    static boolean nodeTransition(Action action) {
        return action instanceof Action.StartNode || action instanceof Action.StartRollback || action instanceof Action.AdmitBurnIn;
    }

    /** A transition decided by the node pipeline on a managed node run, with its events (no effects: nothing is done on the node). */
    private void transition(Rollout rollout, NodeRun run, Observation observation, Instant now, List<RolloutEvent> events) {
        Decision decision = pipeline.decide(run, observation, now);
        em.merge(decision.next());
        decision.events().forEach(e -> events.add(RolloutEvent.of(rollout.id, run.nodeName, now, ENGINE, e.kind(), e.message())));
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

    /** Copies of these node runs (those that exist), for steps to work on outside any transaction: one query a block of ids. */
    @Transactional
    public List<NodeRun> detached(java.util.Collection<Long> nodeRunIds) {
        List<NodeRun> runs = byIds(nodeRunIds);
        runs.forEach(em::detach);
        return runs;
    }

    /** The most ids one query lists: each is a bind parameter, and PostgreSQL's driver sends at most 32,767 of them. */
    private static final int IDS_PER_QUERY = 10_000;

    /**
     * The node runs with these ids (those that exist), {@link #IDS_PER_QUERY} a query: a halt that skips every pending
     * node of a 40,000-node rollout lists them all.
     */
    private static List<NodeRun> byIds(java.util.Collection<Long> nodeRunIds) {
        List<Long> ids = List.copyOf(nodeRunIds);
        List<NodeRun> runs = new ArrayList<>(ids.size());
        for (int from = 0; from < ids.size(); from += IDS_PER_QUERY) {
            runs.addAll(NodeRun.<NodeRun>list("id in ?1", ids.subList(from, Math.min(ids.size(), from + IDS_PER_QUERY))));
        }
        return runs;
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
        return commitSteps(List.of(decision), lease, now).map(answers -> answers.get(0)).orElse(java.util.OptionalLong.empty());
    }

    /**
     * Commits the decisions of many steps of one rollout in one transaction (one lease check, one flush, the events and
     * check results as JDBC batches, one fsync), and answers each node run's new version in the same order; empty for a
     * decision whose node run changed meanwhile (it writes nothing). Answers nothing at all, and writes nothing, when
     * this replica no longer holds the lease. Each decision is about a different node run.
     */
    @Transactional
    public Optional<List<java.util.OptionalLong>> commitSteps(List<Decision> decisions, Lease lease, Instant now) {
        List<java.util.OptionalLong> answers = new ArrayList<>(java.util.Collections.nCopies(decisions.size(),
                java.util.OptionalLong.empty()));
        if (!holds(lease)) {
            return Optional.empty();
        }
        List<NodeRun> runs = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (int i = 0; i < decisions.size(); i++) {
            NodeRun stepped = decisions.get(i).next();
            if (stepped.rolloutId == lease.rolloutId() && seen.add(stepped.id)) {
                runs.add(stepped);
                positions.add(i);
            }
        }
        boolean[] documents = new boolean[runs.size()];
        for (int k = 0; k < runs.size(); k++) {
            documents[k] = decisions.get(positions.get(k)).documentsChanged();
        }
        boolean[] written = rows.updateRuns(em, runs, documents);
        List<RolloutEvent> events = new ArrayList<>();
        List<CheckRecord> checks = new ArrayList<>();
        List<NodeRun> committed = new ArrayList<>();
        for (int k = 0; k < runs.size(); k++) {
            if (!written[k]) {
                continue;
            }
            Decision decision = decisions.get(positions.get(k));
            NodeRun stepped = decision.next();
            for (Decision.Event entry : decision.events()) {
                events.add(RolloutEvent.of(stepped.rolloutId, stepped.nodeName, now, ENGINE, entry.kind(), entry.message()));
            }
            for (CheckOutcome outcome : decision.checks()) {
                checks.add(CheckRecord.of(stepped.id, stepped.direction, outcome.check(), outcome, outcome.summary(), now));
            }
            NodeRun after = stepped.copy();
            after.version = stepped.version + 1;
            committed.add(after);
            answers.set(positions.get(k), java.util.OptionalLong.of(after.version));
        }
        rows.insertEvents(em, events);
        rows.insertChecks(em, checks);
        afterCommit.run(() -> committed.forEach(held::committed));
        return Optional.of(answers);
    }

    @Inject
    StepRows rows;

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
        // Read-only: a wave of thousands of runs is loaded once for its scan, with no snapshot kept for a dirty check.
        List<NodeRun> nodes = NodeRun.<NodeRun>find("rolloutId = ?1 and waveIndex = ?2 and state = ?3 and direction = ?4 order by position",
                rolloutId, wave, NodeState.SUCCEEDED, Direction.FORWARD).withHint(org.hibernate.jpa.HibernateHints.HINT_READ_ONLY, true)
                .list();
        nodes.forEach(em::detach);
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

    /**
     * Verdicts of the wave stage, committed together (a restart scans only the nodes without one); false, with nothing
     * written, if this replica lost the lease.
     */
    @Transactional
    public boolean recordScans(Lease lease, Action.CheckWave action, Map<Long, CheckOutcome> outcomes) {
        if (outcomes.isEmpty()) {
            return true;
        }
        if (!holds(lease)) {
            return false;
        }
        em.unwrap(org.hibernate.Session.class).doWork(connection -> {
            try (java.sql.PreparedStatement insert = connection.prepareStatement("insert into wave_scan_result (rollout_id, wave_index,"
                    + " stage, node_run_id, outcome) values (?, ?, ?, ?, cast(? as jsonb)) on conflict do nothing")) {
                for (Map.Entry<Long, CheckOutcome> entry : outcomes.entrySet()) {
                    insert.setLong(1, lease.rolloutId());
                    insert.setInt(2, action.wave());
                    insert.setString(3, action.stage().name());
                    insert.setLong(4, entry.getKey());
                    try {
                        insert.setString(5, json.writeValueAsString(entry.getValue()));
                    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                        throw new java.sql.SQLException("cannot store the XID scan verdict of node run " + entry.getKey(), e);
                    }
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
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
        List<CheckRecord> records = new ArrayList<>();
        for (Map.Entry<Long, CheckOutcome> entry : outcomes.entrySet()) {
            CheckOutcome outcome = entry.getValue();
            // The scanned nodes are those the wave upgraded, going forward.
            records.add(CheckRecord.of(entry.getKey(), Direction.FORWARD, "wave-xid", outcome, when + ": " + outcome.summary(), now));
            Decision decided = failures.get(entry.getKey());
            if (outcome.passed() || decided == null) {
                continue;
            }
            NodeRun run = NodeRun.findById(entry.getKey());
            if (run.state != NodeState.SUCCEEDED || decided.next().version != run.version) {
                continue;
            }
            bad++;
            em.merge(decided.next());
            decided.events().forEach(e -> event(rollout, run.nodeName, now, e.kind(), e.message()));
        }
        em.flush();
        rows.insertChecks(em, records);
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
        afterCommit.run(() -> revisions.changed(rolloutId));
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
