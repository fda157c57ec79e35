package io.waveline.api;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.waveline.notify.NotificationDelivery;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/notifications")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Notifications")
public class NotificationsResource {

    @Inject
    NotificationDelivery delivery;

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "The notification sinks of this replica with their counters: sent, retried, failed (given up) by this replica; pending: waiting in the outbox")
    public List<NotificationDelivery.Counters> counters() {
        return delivery.counters();
    }
}
