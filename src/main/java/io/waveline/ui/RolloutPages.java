package io.waveline.ui;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.waveline.api.DashboardPage;
import io.waveline.api.Roles;
import io.waveline.api.RolloutView;
import io.waveline.api.RolloutsResource;
import io.waveline.plan.NaturalOrder;
import io.waveline.plan.PlanParser;
import io.waveline.rollout.CheckRecord;
import io.waveline.rollout.NodeRun;
import io.waveline.rollout.NodeState;
import io.waveline.rollout.Rollout;
import io.waveline.rollout.RolloutEvent;
import io.waveline.rollout.RolloutState;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * The rollouts: the list, and one rollout live. Its board (waves as lanes, nodes as tiles grouped by rack, the phase,
 * the limits in force, failures with their reason, command buttons for the roles allowed) is a fragment the page
 * fetches again when the rollout's event stream says something happened, at most once a second, so a 2,000-node
 * rollout costs one redraw a second, not one per event. A node's timeline and checks open in place.
 */
@Path("/ui/rollouts")
@DashboardPage
@RolesAllowed(Roles.VIEWER)
@Produces(MediaType.TEXT_HTML)
public class RolloutPages {

    @Inject
    SecurityIdentity identity;

    @Inject
    RolloutsResource rollouts;

    @Inject
    java.time.Clock clock;

    @Inject
    @Location("ui/rollouts.html")
    Template list;

    @Inject
    @Location("ui/rollout.html")
    Template page;

    @Inject
    @Location("ui/board.html")
    Template board;

    @Inject
    @Location("ui/node-detail.html")
    Template nodeDetail;

    /** One tile: a node, its state as a word and an icon (never colour alone), and why it failed. */
    public record Tile(String name, String state, String icon, String reason, String progress) {
    }

    public record Rack(String name, List<Tile> tiles) {
    }

    public record Lane(RolloutView.Wave wave, String phase, int done, int total, List<Rack> racks) {
    }

    public record Row(long id, String plan, String state, int wave, String progress, Instant createdAt, Instant finishedAt) {
    }

    @GET
    @Transactional
    public TemplateInstance index() {
        List<Rollout> latest = Rollout.<Rollout>find("order by id desc").page(0, 100).list();
        Map<Long, Map<String, Long>> counts = RolloutsResource.countsByState(latest.stream().map(r -> r.id).toList());
        List<Row> rows = latest.stream().map(r -> {
            Map<String, Long> byState = counts.getOrDefault(r.id, Map.of());
            long total = byState.values().stream().mapToLong(Long::longValue).sum();
            return new Row(r.id, r.planName, r.state.name(), r.currentWave + 1, (total - byState.getOrDefault("PENDING", 0L)) + " of "
                    + total + " nodes started", r.createdAt, r.finishedAt);
        }).toList();
        return list.data("viewer", Viewer.of(identity)).data("rows", rows);
    }

    @GET
    @Path("/{id}")
    public TemplateInstance rollout(@PathParam("id") long id) {
        RolloutView summary = rollouts.read(id, false);
        return page.data("viewer", Viewer.of(identity)).data("r", summary).data("final", finalState(summary.state()));
    }

    @GET
    @Path("/{id}/board")
    @Transactional
    public TemplateInstance board(@PathParam("id") long id) {
        RolloutView r = rollouts.read(id, false);
        Rollout rollout = Rollout.findById(id);
        List<Object[]> rows = NodeRun.getEntityManager().createQuery("select n.nodeName, n.waveIndex, n.state, n.lastError, n.progress,"
                + " n.facts from NodeRun n where n.rolloutId = ?1", Object[].class).setParameter(1, id).getResultList();
        Map<Integer, Map<String, List<Tile>>> byWave = new TreeMap<>();
        for (Object[] row : rows) {
            NodeRun.NodeSnapshot facts = (NodeRun.NodeSnapshot) row[5];
            String rack = facts == null || facts.labels() == null ? "-" : facts.labels().getOrDefault("rack", "-");
            String state = row[2].toString();
            byWave.computeIfAbsent((Integer) row[1], w -> new TreeMap<>(NaturalOrder.INSTANCE)).computeIfAbsent(rack, k -> new ArrayList<>())
                    .add(new Tile((String) row[0], state, icon(state), failed(state) || state.equals("ROLLED_BACK") ? oneLine((String) row[3])
                            : null, (String) row[4]));
        }
        Optional<io.waveline.plan.RolloutPlan> plan = rollout == null || rollout.planText == null ? Optional.empty()
                : PlanParser.parse(rollout.planName, rollout.planText).plan();
        List<Lane> lanes = new ArrayList<>();
        for (RolloutView.Wave wave : r.waves()) {
            List<Rack> racks = new ArrayList<>();
            byWave.getOrDefault(wave.index(), Map.of()).forEach((rack, tiles) -> {
                tiles.sort((a, b) -> NaturalOrder.INSTANCE.compare(a.name(), b.name()));
                racks.add(new Rack(rack, tiles));
            });
            int total = racks.stream().mapToInt(k -> k.tiles().size()).sum();
            int done = (int) racks.stream().flatMap(k -> k.tiles().stream()).filter(t -> settled(t.state())).count();
            Duration soak = plan.filter(p -> wave.index() < p.waves().size()).map(p -> p.waves().get(wave.index()).soak()).orElse(Duration.ZERO);
            lanes.add(new Lane(wave, phase(r, wave, soak, clock.instant()), done, total, racks));
        }
        // as the start gate counts them against maxUnavailable: working, failed or quarantined (still cordoned)
        long out = r.nodesByState().entrySet().stream().filter(e -> NodeState.valueOf(e.getKey()).outOfService())
                .mapToLong(Map.Entry::getValue).sum();
        long draining = r.nodesByState().getOrDefault("DRAINING", 0L) + r.nodesByState().getOrDefault("WAITING_FOR_JOBS", 0L);
        Viewer viewer = Viewer.of(identity);
        boolean awaiting = r.wavePhase().equals("AWAITING_APPROVAL") && !finalState(r.state());
        boolean twoPerson = plan.map(p -> io.waveline.api.PlanView.of(p).twoPersonApproval()).orElse(false);
        return board.data("viewer", viewer).data("r", r).data("lanes", lanes).data("out", out).data("draining", draining)
                .data("final", finalState(r.state())).data("awaiting", awaiting)
                .data("canPause", viewer.operator() && r.state().equals("RUNNING"))
                .data("canResume", viewer.operator() && r.state().equals("PAUSED"))
                .data("canAbort", viewer.operator() && !finalState(r.state()) && !r.abortRequested())
                .data("canRollback", viewer.operator() && List.of("RUNNING", "PAUSED", "SUCCEEDED", "FAILED").contains(r.state()))
                .data("canApprove", viewer.approver() && awaiting)
                .data("twoPerson", twoPerson).data("selfApproval", twoPerson && viewer.name().equals(r.startedBy()));
    }

    @GET
    @Path("/{id}/nodes/{node}")
    @Transactional
    public TemplateInstance node(@PathParam("id") long id, @PathParam("node") String node) {
        NodeRun run = NodeRun.<NodeRun>find("rolloutId = ?1 and nodeName = ?2", id, node).firstResultOptional()
                .orElseThrow(() -> new NotFoundException("node " + node + " is not in rollout " + id));
        List<RolloutEvent> events = RolloutEvent.<RolloutEvent>find("rolloutId = ?1 and nodeName = ?2 order by id", id, node).list();
        List<CheckRecord> checks = CheckRecord.<CheckRecord>find("nodeRunId = ?1 order by id", run.id).list();
        return nodeDetail.data("run", run).data("events", events).data("checks", checks).data("rollout", id);
    }

    static boolean finalState(String state) {
        return RolloutState.valueOf(state).isFinal();
    }

    private static boolean settled(String state) {
        return NodeState.valueOf(state).settled();
    }

    private static boolean failed(String state) {
        return state.equals("FAILED") || state.equals("QUARANTINED");
    }

    static String icon(String state) {
        return switch (state) {
            case "PENDING" -> "·";
            case "SUCCEEDED" -> "✓";
            case "FAILED" -> "✗";
            case "QUARANTINED" -> "⚠";
            case "SKIPPED" -> "–";
            case "ROLLED_BACK" -> "↺";
            case "ROLLING_BACK" -> "↶";
            case "REBOOTING" -> "⟳";
            case "DRAINING", "WAITING_FOR_JOBS", "CORDONING" -> "⇣";
            default -> "▶";
        };
    }

    private static String oneLine(String text) {
        if (text == null) {
            return null;
        }
        String line = text.lines().findFirst().orElse("");
        return line.length() > 160 ? line.substring(0, 157) + "..." : line;
    }

    private static String phase(RolloutView r, RolloutView.Wave wave, Duration soak, Instant now) {
        if (wave.finishedAt() != null) {
            return "done";
        }
        if (wave.index() != r.currentWave() || finalState(r.state())) {
            return wave.startedAt() == null ? "not started" : r.state().toLowerCase().replace('_', ' ');
        }
        return switch (r.wavePhase()) {
            case "AWAITING_APPROVAL" -> "waiting for approval";
            case "SOAKING" -> {
                Instant since = wave.soakStartedAt() == null ? now : wave.soakStartedAt();
                Duration left = Duration.between(now, since.plus(soak));
                yield "soaking, " + (left.isNegative() ? "0s" : io.waveline.plan.Durations.format(left.withNanos(0))) + " left";
            }
            default -> r.state().equals("PAUSED") ? "paused" : "running";
        };
    }
}
