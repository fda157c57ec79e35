package io.waveline.api;

import java.time.Instant;
import java.util.Optional;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.waveline.plan.Durations;
import io.waveline.rollout.Retention;
import io.waveline.rollout.Replica;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/system")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "System")
public class SystemResource {

    @Inject
    Replica replica;

    @Inject
    Retention retention;

    @Inject
    EntityManager em;

    @Inject
    java.time.Clock clock;

    /** This replica and what the database holds. */
    public record SystemView(String replica, Instant time, Database database, RetentionView retention) {
    }

    /** The database's size on disk and its row counts. */
    public record Database(long sizeBytes, long rollouts, long unfinishedRollouts, long nodeRuns, long checkResults, long events) {
    }

    /** How long finished rollouts are kept ({@code keep}: forever), and the last purge of this replica. */
    public record RetentionView(String keep, Optional<Retention.Purge> lastPurge) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Transactional
    @Operation(operationId = "getSystem", summary = "This replica (its id and clock), the database's size and row counts, and the retention")
    public SystemView system() {
        Database database = new Database(count("select pg_database_size(current_database())"), count("select count(*) from rollout"),
                count("select count(*) from rollout where finished_at is null"), count("select count(*) from node_run"),
                count("select count(*) from check_result"), count("select count(*) from rollout_event"));
        return new SystemView(replica.id(), clock.instant(), database,
                new RetentionView(retention.keep().map(Durations::format).orElse("keep"), retention.last()));
    }

    private long count(String sql) {
        return ((Number) em.createNativeQuery(sql).getSingleResult()).longValue();
    }
}
