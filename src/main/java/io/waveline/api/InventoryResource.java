package io.waveline.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.waveline.fleet.FleetInventory;
import io.waveline.fleet.SourceStatus;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/inventory")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Fleet")
public class InventoryResource {

    @Inject
    FleetInventory inventory;

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/sources")
    @Operation(summary = "Inventory sources and how their last read went",
            description = "A broken inventory file keeps its last good nodes; its errors (file, line, field) show here.")
    public List<SourceStatus> sources() {
        return inventory.sources();
    }

    @POST
    @BodyLimit(BodyLimit.NONE)
    @RolesAllowed(Roles.OPERATOR)
    @Path("/refresh")
    @Operation(summary = "Re-read every inventory source now")
    public List<SourceStatus> refresh() {
        return inventory.refresh();
    }
}
