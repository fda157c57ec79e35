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
            + "name order. Filter with a label selector, e.g. ?selector=pool=h100,rack in (r01,r02).")
    public List<NodeView> list(@Parameter(description = "label selector, as kubectl -l takes it")
            @QueryParam("selector") String selector) {
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
        return inventory.records().stream().filter(r -> chosen == null || chosen.matches(r.labels))
                .map(NodeView::of).toList();
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
