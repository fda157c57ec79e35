package io.waveline.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.waveline.fleet.FleetInventory;
import io.waveline.plan.LabelSelector;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/nodes")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Fleet")
public class NodesResource {

    @Inject
    FleetInventory inventory;

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "List the fleet's nodes", description = "Every node the inventory sources report, in natural "
            + "name order, a page at a time (a full page has a Link header, rel=next). Filter with a label selector, e.g."
            + " ?selector=pool=h100,rack in (r01,r02).")
    public org.jboss.resteasy.reactive.RestResponse<List<NodeView>> list(@Parameter(description = "label selector, as kubectl -l takes it")
            @QueryParam("selector") String selector,
            @Parameter(description = "the page's cursor: nodes after this name, in natural order") @QueryParam("after") String after,
            @Parameter(description = "nodes per page, 1 to 5000 (default 1000)") @QueryParam("limit") Integer limit,
            @jakarta.ws.rs.core.Context jakarta.ws.rs.core.UriInfo uri) {
        int size = Pages.limit(limit, 1000, 5000);
        LabelSelector filter = null;
        if (selector != null && !selector.isBlank()) {
            try {
                filter = LabelSelector.parse(selector);
            } catch (LabelSelector.SyntaxException e) {
                throw ProblemException.badRequest("selector \"" + selector + "\" at character " + (e.offset() + 1)
                        + ": " + e.getMessage());
            }
        }
        LabelSelector chosen = filter;
        List<NodeView> page = inventory.records().stream().filter(r -> chosen == null || chosen.matches(r.labels))
                .filter(r -> after == null || io.waveline.plan.NaturalOrder.INSTANCE.compare(r.name, after) > 0).limit(size)
                .map(NodeView::of).toList();
        return Pages.of(page, size, uri, "after", page.isEmpty() ? null : page.get(page.size() - 1).name());
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{name}")
    @Operation(summary = "One node: labels, GPUs, installed versions, when it was first and last seen")
    public NodeView get(@PathParam("name") String name) {
        return inventory.record(name).map(NodeView::of)
                .orElseThrow(() -> ProblemException.notFound("no node named \"" + name + "\" in the inventory"));
    }
}
