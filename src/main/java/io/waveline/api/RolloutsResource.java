package io.waveline.api;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import io.vertx.core.http.HttpServerRequest;
import io.waveline.fleet.FleetInventory;
import io.waveline.plan.PlanDirectory;
import io.waveline.rollout.NodeRun;
import io.waveline.rollout.Rollout;
import io.waveline.rollout.RolloutCommands;
import io.waveline.rollout.RolloutConflict;
import io.waveline.rollout.RolloutEvent;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@Path("/api/v1/rollouts")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Rollouts")
public class RolloutsResource {

    @ConfigProperty(name = "waveline.plans-dir")
    String plansDir;

    @Inject
    RolloutCommands commands;

    @Inject
    FleetInventory inventory;

    @Inject
    CurrentCaller caller;

    @Inject
    io.quarkus.security.identity.SecurityIdentity identity;

    /** Start a rollout from a plan file by name, or from plan YAML given inline. */
    public record StartRequest(String plan, String planYaml) {
    }

    @POST
    @BodyLimit(2 * BodyLimit.PLAN)
    @RolesAllowed(Roles.OPERATOR)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a rollout", description = "Body {\"plan\": \"<name in the plan directory>\"} or "
            + "{\"planYaml\": \"...\"}. The plan is validated against the fleet and frozen in the rollout. With an "
            + "Idempotency-Key header, a repeated request answers the rollout the first one started (200). The answer is "
            + "the rollout's summary, as GET /api/v1/rollouts/{id} gives it, and Location names that URL.")
    public Response start(StartRequest request, @HeaderParam("Idempotency-Key") String idempotencyKey) {
        if (request == null || (request.plan() == null) == (request.planYaml() == null)) {
            throw ProblemException.badRequest("give exactly one of \"plan\" (a plan name) or \"planYaml\" (the plan text)");
        }
        String name;
        String text;
        if (request.plan() != null) {
            PlanDirectory.PlanFile file = new PlanDirectory(java.nio.file.Path.of(plansDir)).find(request.plan())
                    .orElseThrow(() -> ProblemException.notFound("no plan named \"" + request.plan() + "\" in " + plansDir));
            name = file.name();
            text = file.text();
        } else {
            name = "request";
            text = request.planYaml();
        }
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > 128)) {
            throw ProblemException.badRequest("Idempotency-Key must be 1 to 128 characters");
        }
        RolloutCommands.Started started = commands.start(name, text, inventory.nodes(), caller.name(),
                Optional.ofNullable(idempotencyKey));
        // The summary, not every node: a 10,000-node start answers a few KB at once (the nodes are a page away). It is
        // kept as every reader's (read(id, false)): the dashboards that open the new rollout are not held for a read of it.
        long id = started.rollout().id;
        return Response.status(started.created() ? 201 : 200).location(java.net.URI.create("/api/v1/rollouts/" + id))
                .entity(read(id, false)).build();
    }

    /** One line per rollout; the nodes are in {@code GET /api/v1/rollouts/{id}}. */
    public record RolloutSummary(long id, String plan, String state, int currentWave, String wavePhase, String startedBy,
            java.time.Instant createdAt, java.time.Instant finishedAt, String haltReason, Map<String, Long> nodesByState) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "List rollouts, newest first, with node counts by state",
            description = "A page at a time: a full page has a Link header (rel=next) naming the next one.")
    @Transactional
    public org.jboss.resteasy.reactive.RestResponse<List<RolloutSummary>> list(
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "rollouts per page, 1 to 500 (default 50)")
            @QueryParam("limit") Integer limit,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "the page's cursor: rollouts older than this id")
            @QueryParam("before") Long before, @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        int size = Pages.limit(limit, 50, 500);
        List<Rollout> rollouts = (before == null ? Rollout.<Rollout>find("order by id desc")
                : Rollout.<Rollout>find("id < ?1 order by id desc", before)).page(0, size).list();
        if (rollouts.isEmpty()) {
            return Pages.of(List.of(), size, uri, "before", null);
        }
        Map<Long, Map<String, Long>> counts = countsByState(rollouts.stream().map(r -> r.id).toList());
        return Pages.of(rollouts.stream().map(r -> new RolloutSummary(r.id, r.planName, r.state.name(), r.currentWave,
                r.wavePhase.name(), r.startedBy, r.createdAt, r.finishedAt, r.haltReason,
                counts.getOrDefault(r.id, Map.of()))).toList(), size, uri, "before", Long.toString(rollouts.get(rollouts.size() - 1).id));
    }

    /** Each rollout's node runs counted by state (the list's {@code nodesByState}, and the dashboard's), in one query. */
    public static Map<Long, Map<String, Long>> countsByState(List<Long> rolloutIds) {
        Map<Long, Map<String, Long>> counts = new java.util.HashMap<>();
        if (rolloutIds.isEmpty()) {
            return counts;
        }
        List<Object[]> rows = NodeRun.getEntityManager().createQuery("select n.rolloutId, n.state, count(n) from NodeRun n "
                + "where n.rolloutId in ?1 group by n.rolloutId, n.state", Object[].class).setParameter(1, rolloutIds).getResultList();
        for (Object[] row : rows) {
            counts.computeIfAbsent((Long) row[0], k -> new java.util.TreeMap<>()).put(row[1].toString(), (Long) row[2]);
        }
        return counts;
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}")
    @Operation(summary = "One rollout's summary: state, waves with their node counts by state, limits, failures",
            description = "Small and fast however large the rollout; its nodes page by page, filtered by state and wave, from"
                    + " /api/v1/rollouts/{id}/nodes. With nodes=true, the full view: every node with its versions, checks and"
                    + " timings (large: about 2.5 KB a node).")
    public Uni<RolloutView> get(@PathParam("id") long id,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "true: every node too (the full view)")
            @QueryParam("nodes") @jakarta.ws.rs.DefaultValue("false") boolean nodes) {
        if (!nodes) {
            Optional<RolloutView> kept = summaries.kept(id, () -> Infrastructure.getDefaultWorkerPool().execute(() -> read(id, false)));
            if (kept.isPresent()) {
                return Uni.createFrom().item(kept.get()); // answered where the request came in: no worker, no transaction
            }
        }
        return Uni.createFrom().item(() -> read(id, nodes)).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The rollout as {@code GET /api/v1/rollouts/{id}} answers it, read in the caller's transaction or one of its own. */
    public RolloutView read(long id, boolean nodes) {
        return QuarkusTransaction.joiningExisting().call(() -> nodes ? view(id) : summaries.of(id, this::summary));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}/nodes")
    @Operation(summary = "A rollout's nodes, a page at a time, filtered by state and wave",
            description = "In name order; a full page has a Link header (rel=next).")
    @Transactional
    public org.jboss.resteasy.reactive.RestResponse<List<RolloutView.Node>> nodes(@PathParam("id") long id,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "only nodes in this state (PENDING, FAILED, …)")
            @QueryParam("state") String state,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "only nodes of this wave (0-based)")
            @QueryParam("wave") Integer wave,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "the page's cursor: nodes after this name")
            @QueryParam("after") String after,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "nodes per page, 1 to 1000 (default 200)")
            @QueryParam("limit") Integer limit,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "true: each node's GPU baseline too (large)")
            @QueryParam("baseline") @jakarta.ws.rs.DefaultValue("false") boolean baseline,
            @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        int size = Pages.limit(limit, 200, 1000);
        readOnly();
        if (Rollout.count("id", id) == 0) { // not the rollout itself: its pool (every node) is not needed for a page
            throw ProblemException.notFound("no rollout " + id);
        }
        io.waveline.rollout.NodeState wanted = null;
        if (state != null && !state.isBlank()) {
            try {
                wanted = io.waveline.rollout.NodeState.valueOf(state.trim().toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("state \"" + state + "\" is not one of " + java.util.Arrays.toString(
                        io.waveline.rollout.NodeState.values()));
            }
        }
        StringBuilder query = new StringBuilder("n.rolloutId = :id");
        Map<String, Object> parameters = new java.util.HashMap<>(Map.of("id", id));
        if (wanted != null) {
            query.append(" and n.state = :state");
            parameters.put("state", wanted);
        }
        if (wave != null) {
            query.append(" and n.waveIndex = :wave");
            parameters.put("wave", wave);
        }
        if (after != null) {
            query.append(" and n.nodeName > :after");
            parameters.put("after", after);
        }
        // The columns a page shows, not the node runs: their facts, check requests, method settings and (unless asked)
        // baseline are JSON the page does not show, and reading them was most of a page's cost.
        var select = NodeRun.getEntityManager().createQuery("select " + PAGE_COLUMNS + (baseline ? ", n.baseline" : "")
                + " from NodeRun n where " + query + " order by n.nodeName", Object[].class).setMaxResults(size);
        parameters.forEach(select::setParameter);
        List<Object[]> rows = select.getResultList();
        Map<Long, List<RolloutView.Check>> checks = rows.isEmpty() ? Map.of()
                : checksOf("", "c.nodeRunId in :ids", Map.of("ids", rows.stream().map(r -> (Long) r[0]).toList()));
        List<RolloutView.Node> page = rows.stream().map(r -> pageNode(r, checks.getOrDefault((Long) r[0], List.of()))).toList();
        return Pages.of(page, size, uri, "after", page.isEmpty() ? null : page.get(page.size() - 1).name());
    }

    /** What a page of nodes reads of each node run, in this order ({@link #pageNode}); the baseline follows when asked. */
    private static final String PAGE_COLUMNS = "n.id, n.nodeName, n.state, n.direction, n.rollbackPending, n.previousVersions, "
            + "n.targetVersions, n.attempts, n.failureClass, n.lastError, n.startedAt, n.finishedAt, n.burnInAdmittedAt, "
            + "n.progress, n.waveIndex";

    /** A node of a page, from its {@link #PAGE_COLUMNS} row; as {@link RolloutView#node} makes it from the node run. */
    @SuppressWarnings("unchecked")
    private static RolloutView.Node pageNode(Object[] r, List<RolloutView.Check> checks) {
        io.waveline.rollout.NodeState state = (io.waveline.rollout.NodeState) r[2];
        return new RolloutView.Node((String) r[1], state.name(), ((Enum<?>) r[3]).name(), (Boolean) r[4], (Map<String, String>) r[5],
                (Map<String, String>) r[6], (Integer) r[7], r[8] == null ? null : ((Enum<?>) r[8]).name(), (String) r[9],
                (java.time.Instant) r[10], (java.time.Instant) r[11],
                r.length > 15 ? (io.waveline.rollout.port.GpuBaseline) r[15] : null,
                RolloutView.burnIn(state, (java.time.Instant) r[12]),
                (String) r[13], checks, (Integer) r[14]);
    }

    /**
     * The check results that {@code where} selects (over check {@code c}, and node run {@code n} where {@code join}
     * joins it; with its named {@code parameters}), by node run. The columns the views show, not the check records: each
     * record also holds its command's raw output (up to {@link io.waveline.rollout.port.CheckOutcome#MAX_RAW_CHARS}
     * characters), which no API view shows and which was most of what a page of nodes read. The figures are read as the
     * JSON text they are stored as and written out so.
     */
    private static Map<Long, List<RolloutView.Check>> checksOf(String join, String where, Map<String, Object> parameters) {
        Map<Long, List<RolloutView.Check>> checks = new java.util.HashMap<>();
        var select = NodeRun.getEntityManager().createQuery("select c.nodeRunId, c.checkName, c.direction, c.status, c.summary,"
                + " cast(c.figures as String), c.at from CheckRecord c" + join + " where " + where + " order by c.id", Object[].class);
        parameters.forEach(select::setParameter);
        select.getResultList().forEach(r -> checks.computeIfAbsent((Long) r[0], k -> new java.util.ArrayList<>()).add(
                new RolloutView.Check((String) r[1], ((Enum<?>) r[2]).name(), (String) r[3], (String) r[4],
                        (String) r[5], (java.time.Instant) r[6]))); // figures: NOT NULL, '{}' by default
        return checks;
    }

    @Inject
    RolloutSummaries summaries;

    /** The rollout without its nodes: the counts by wave and state come from one grouped query. */
    @Transactional
    RolloutView summary(long id) {
        Rollout rollout = rollout(id);
        Map<Integer, Map<String, Long>> counts = new java.util.HashMap<>();
        for (Object[] row : NodeRun.getEntityManager().createQuery("select n.waveIndex, n.state, count(n) from NodeRun n"
                + " where n.rolloutId = ?1 group by n.waveIndex, n.state", Object[].class).setParameter(1, id).getResultList()) {
            counts.computeIfAbsent((Integer) row[0], w -> new java.util.TreeMap<>()).put(row[1].toString(), (Long) row[2]);
        }
        List<io.waveline.rollout.RolloutWave> waves = io.waveline.rollout.RolloutWave
                .<io.waveline.rollout.RolloutWave>list("rolloutId = ?1 order by waveIndex", id);
        List<RolloutView.Failure> failures = NodeRun.<NodeRun>find("rolloutId = ?1 and state in ?2 order by waveIndex, position", id,
                List.of(io.waveline.rollout.NodeState.FAILED, io.waveline.rollout.NodeState.QUARANTINED)).page(0, RolloutView.FAILURES_SHOWN)
                .list().stream().map(RolloutView.Failure::of).toList();
        return RolloutView.summary(rollout, waves, counts, Map.of(), limits(rollout), failures);
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}/events")
    @Operation(summary = "The rollout's events in order: every command and transition, with its actor",
            description = "Gap-free: following with the last id seen as `after` never passes over an event that commits later."
                    + " A page at a time: a full page has a Link header (rel=next).")
    @Transactional
    public org.jboss.resteasy.reactive.RestResponse<List<RolloutView.Event>> events(@PathParam("id") long id,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "the cursor: events after this event id")
            @QueryParam("after") Long after,
            @org.eclipse.microprofile.openapi.annotations.parameters.Parameter(description = "events per page, 1 to 10000 (default 1000)")
            @QueryParam("limit") Integer limit, @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        int size = Pages.limit(limit, 1000, 10_000);
        rollout(id);
        List<RolloutView.Event> page = RolloutEvent.committedAfter(id, after == null ? 0L : after, size)
                .stream().map(RolloutView.Event::of).toList();
        return Pages.of(page, size, uri, "after", page.isEmpty() ? null : Long.toString(page.get(page.size() - 1).id()));
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{id}/events")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @io.smallrye.common.annotation.Blocking
    @Operation(summary = "The rollout's events as a live stream (Accept: text/event-stream)",
            description = "Sends every event after `after` (default: from the start) as it is recorded; ends once "
                    + "the rollout is finished and its last event is sent. The streams of one rollout share one database read"
                    + " every 500 ms.")
    public Multi<RolloutView.Event> stream(@PathParam("id") long id, @QueryParam("after") Long after) {
        QuarkusTransaction.requiringNew().run(() -> rollout(id));
        AtomicLong last = new AtomicLong(after == null ? 0L : after);
        AtomicBoolean finishedSeen = new AtomicBoolean();
        feeds.subscribe(id);
        return Multi.createFrom().ticks().startingAfter(Duration.ofMillis(1)).every(Duration.ofMillis(100))
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .map(tick -> {
                    EventFeeds.Batch batch = feeds.next(id, last.get());
                    if (!batch.events().isEmpty()) {
                        last.set(batch.events().get(batch.events().size() - 1).id());
                    }
                    return batch;
                })
                .select().first(batch -> !finishedSeen.getAndSet(batch.finished()))
                .onItem().transformToIterable(EventFeeds.Batch::events)
                .onTermination().invoke(() -> feeds.unsubscribe(id));
    }

    @Inject
    EventFeeds feeds;

    @POST
    @BodyLimit(BodyLimit.NONE)
    @Path("/{id}/pause")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(operationId = "pauseRollout", summary = "Pause a rollout: no new node starts; nodes under way finish")
    public RolloutView pause(@PathParam("id") long id) {
        commands.pause(id, caller.name());
        return read(id, false);
    }

    @POST
    @BodyLimit(BodyLimit.NONE)
    @Path("/{id}/resume")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(operationId = "resumeRollout", summary = "Resume a paused rollout")
    public RolloutView resume(@PathParam("id") long id) {
        commands.resume(id, caller.name());
        return read(id, false);
    }

    @POST
    @BodyLimit(BodyLimit.NONE)
    @Path("/{id}/abort")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(operationId = "abortRollout", summary = "Abort a rollout: nodes not started are skipped, started ones finish")
    public RolloutView abort(@PathParam("id") long id) {
        commands.abort(id, caller.name());
        return read(id, false);
    }

    @POST
    @BodyLimit(BodyLimit.NONE)
    @Path("/{id}/approve")
    @RolesAllowed(Roles.APPROVER)
    @Operation(operationId = "approveWave", summary = "Approve the wave that waits for approval (approver role)")
    public RolloutView approve(@PathParam("id") long id) {
        commands.approve(id, caller.name(), identity.hasRole(Roles.APPROVER));
        return read(id, false);
    }

    @POST
    @BodyLimit(BodyLimit.NONE)
    @Path("/{id}/rollback")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(operationId = "rollBackRollout", summary = "Roll a finished rollout back: every upgraded node to its previous versions")
    public RolloutView rollback(@PathParam("id") long id) {
        commands.rollback(id, caller.name());
        return read(id, false);
    }

    @POST
    @BodyLimit(BodyLimit.NONE)
    @Path("/{id}/{command}")
    @RolesAllowed(Roles.OPERATOR)
    @Operation(operationId = "unknownRolloutCommand", summary = "Any other command: 404 naming the commands there are")
    public RolloutView unknownCommand(@PathParam("id") long id, @PathParam("command") String command) {
        throw ProblemException.notFound("no command \"" + command + "\"; use pause, resume, abort, approve or rollback");
    }

    @Transactional
    RolloutView view(long id) {
        readOnly();
        Rollout rollout = rollout(id);
        List<NodeRun> runs = NodeRun.list("rolloutId = ?1 order by waveIndex, position", id);
        // joined, not a list of every node run's id: that is one bind parameter each, and the driver takes at most 32,767
        Map<Long, List<RolloutView.Check>> checks = checksOf(", NodeRun n", "c.nodeRunId = n.id and n.rolloutId = :id", Map.of("id", id));
        List<io.waveline.rollout.RolloutWave> waves = io.waveline.rollout.RolloutWave
                .<io.waveline.rollout.RolloutWave>list("rolloutId = ?1 order by waveIndex", id);
        return RolloutView.of(rollout, waves, runs, checks, limits(rollout));
    }

    @Inject
    io.waveline.rollout.FrozenPlans plans;

    /** The frozen plan's limits over the rollout's pool (counted in the database: the pool itself is not loaded). */
    private RolloutView.Limits limits(Rollout rollout) {
        Number pool = (Number) NodeRun.getEntityManager().createNativeQuery("select coalesce(jsonb_array_length(pool), 0) from rollout"
                + " where id = ?1").setParameter(1, rollout.id).getSingleResult();
        return RolloutView.Limits.of(plans.of(rollout), pool.intValue());
    }

    /**
     * What this request loads is only read: Hibernate keeps no copy of each entity to compare at the commit (for the
     * JSON columns of node runs, a copy is a JSON round trip each) and checks none for changes.
     */
    private static void readOnly() {
        NodeRun.getEntityManager().unwrap(org.hibernate.Session.class).setDefaultReadOnly(true);
    }

    private static Rollout rollout(long id) {
        Rollout rollout = Rollout.findById(id);
        if (rollout == null) {
            throw ProblemException.notFound("no rollout " + id);
        }
        return rollout;
    }

    @ServerExceptionMapper
    public Response conflict(RolloutConflict e, HttpServerRequest request) {
        return ProblemMappers.response(Problem.of(409, "Conflict", e.getMessage(), request.path()));
    }

    @ServerExceptionMapper
    public Response notFound(io.waveline.rollout.RolloutNotFound e, HttpServerRequest request) {
        return ProblemMappers.response(Problem.of(404, "Not Found", e.getMessage(), request.path()));
    }

    @ServerExceptionMapper
    public Response forbidden(io.waveline.rollout.RolloutForbidden e, HttpServerRequest request) {
        return ProblemMappers.response(Problem.of(403, "Forbidden", e.getMessage(), request.path()));
    }

    @ServerExceptionMapper
    public Response invalidPlan(RolloutCommands.InvalidPlan e, HttpServerRequest request) {
        return ProblemMappers.response(new Problem("about:blank", "Invalid rollout plan", 422, e.getMessage(),
                request.path(), e.errors().stream().map(ErrorView::of).toList()));
    }
}
