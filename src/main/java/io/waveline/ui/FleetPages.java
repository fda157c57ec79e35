package io.waveline.ui;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.waveline.api.DashboardPage;
import io.waveline.api.Roles;
import io.waveline.fleet.FleetInventory;
import io.waveline.fleet.NodeRecord;
import io.waveline.plan.LabelSelector;
import io.waveline.plan.NaturalOrder;
import io.waveline.rollout.CheckRecord;
import io.waveline.rollout.NodeRun;
import io.waveline.rollout.Rollout;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/**
 * The fleet by pool and rack (GPU model and count, installed versions, and whether each node is in service, out of
 * service, quarantined or in a running rollout), filtered with a plan's label selector; and one node's history: its
 * versions and every rollout it was in, with failures and check figures.
 */
@Path("/ui/fleet")
@DashboardPage
@RolesAllowed(Roles.VIEWER)
@Produces(MediaType.TEXT_HTML)
public class FleetPages {

    @Inject
    SecurityIdentity identity;

    @Inject
    FleetInventory inventory;

    @Inject
    @Location("ui/fleet.html")
    Template fleet;

    @Inject
    @Location("ui/node.html")
    Template nodePage;

    public record Card(NodeRecord node, String state, String icon, String versions) {
    }

    public record Rack(String name, List<Card> nodes) {
    }

    public record Pool(String name, int gpus, List<Rack> racks) {
    }

    /** One rollout a node was in. */
    public record Stint(long rollout, String plan, NodeRun run, List<CheckRecord> checks) {
    }

    @GET
    @Transactional
    public TemplateInstance fleet(@QueryParam("selector") String selector) {
        LabelSelector filter = null;
        String problem = null;
        if (selector != null && !selector.isBlank()) {
            try {
                filter = LabelSelector.parse(selector);
            } catch (LabelSelector.SyntaxException e) {
                problem = "selector \"" + selector + "\" at character " + (e.offset() + 1) + ": " + e.getMessage();
            }
        }
        Map<String, String[]> states = states();
        Map<String, Map<String, List<Card>>> pools = new TreeMap<>(NaturalOrder.INSTANCE);
        int shown = 0;
        for (NodeRecord node : inventory.records()) {
            if (filter != null && !filter.matches(node.labels)) {
                continue;
            }
            shown++;
            String[] state = states.get(node.name);
            String word = state != null ? state[0] : node.available ? "in service"
                    : "kubernetes".equals(node.source) ? "cordoned or not ready" : "out of service";
            pools.computeIfAbsent(node.labels.getOrDefault("pool", "(no pool)"), p -> new TreeMap<>(NaturalOrder.INSTANCE))
                    .computeIfAbsent(node.labels.getOrDefault("rack", "(no rack)"), r -> new ArrayList<>())
                    .add(new Card(node, word, state != null ? state[1] : node.available ? "✓" : "–", versions(node.versions)));
        }
        List<Pool> view = new ArrayList<>();
        pools.forEach((pool, racks) -> {
            List<Rack> rackViews = new ArrayList<>();
            racks.forEach((rack, cards) -> {
                cards.sort((a, b) -> NaturalOrder.INSTANCE.compare(a.node().name, b.node().name));
                rackViews.add(new Rack(rack, cards));
            });
            view.add(new Pool(pool, racks.values().stream().flatMap(List::stream).mapToInt(c -> c.node().gpuCount).sum(), rackViews));
        });
        return fleet.data("viewer", Viewer.of(identity)).data("pools", view).data("selector", selector == null ? "" : selector)
                .data("problem", problem).data("shown", shown);
    }

    @GET
    @Path("/{name}")
    @Transactional
    public TemplateInstance node(@PathParam("name") String name) {
        NodeRecord node = inventory.record(name).orElseThrow(() -> new NotFoundException("no node named " + name));
        List<NodeRun> runs = NodeRun.<NodeRun>find("nodeName = ?1 order by id desc", name).page(0, 50).list();
        Map<Long, String> plans = new HashMap<>();
        for (NodeRun run : runs) {
            plans.computeIfAbsent(run.rolloutId, id -> Rollout.<Rollout>findByIdOptional(id).map(r -> r.planName).orElse("?"));
        }
        List<Stint> stints = runs.stream().map(run -> new Stint(run.rolloutId, plans.get(run.rolloutId), run,
                CheckRecord.<CheckRecord>find("nodeRunId = ?1 order by id", run.id).list())).toList();
        return nodePage.data("viewer", Viewer.of(identity)).data("node", node).data("versions", versions(node.versions)).data("stints", stints);
    }

    /** Per node: its latest node run's state where that says more than the inventory (in a rollout, quarantined). */
    private static Map<String, String[]> states() {
        Map<String, String[]> states = new HashMap<>();
        List<Object[]> rows = NodeRun.getEntityManager().createQuery("select n.nodeName, n.state, n.rolloutId, r.state from NodeRun n, Rollout r"
                + " where r.id = n.rolloutId and n.id in (select max(m.id) from NodeRun m group by m.nodeName)", Object[].class).getResultList();
        for (Object[] row : rows) {
            io.waveline.rollout.NodeState state = (io.waveline.rollout.NodeState) row[1];
            boolean running = !((io.waveline.rollout.RolloutState) row[3]).isFinal();
            if (state == io.waveline.rollout.NodeState.QUARANTINED) {
                states.put((String) row[0], new String[] { "quarantined (rollout " + row[2] + ")", "⚠" });
            } else if (running && state.working()) {
                states.put((String) row[0], new String[] { "in rollout " + row[2] + ": " + state.name().toLowerCase().replace('_', ' '), "▶" });
            }
        }
        return states;
    }

    private static String versions(Map<String, String> versions) {
        return String.join(", ", new TreeMap<>(versions).entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).toList());
    }
}
