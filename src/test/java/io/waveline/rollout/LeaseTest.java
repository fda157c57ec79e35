package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Rollout leases are judged by the database's clock: no replica passes its own time, so one whose clock is off by
 * hours can neither take a live lease nor keep a dead one; a graceful stop gives its leases up at once.
 */
@QuarkusTest
class LeaseTest {

    @Inject
    RolloutStore store;

    @Inject
    EntityManager em;

    void leaseOf(long rollout, String owner, String expiresIn) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("insert into engine_lease (rollout_id, owner, expires_at)"
                + " values (?1, ?2, now() + cast(?3 as interval)) on conflict (rollout_id) do update set owner = ?2,"
                + " expires_at = now() + cast(?3 as interval)").setParameter(1, rollout).setParameter(2, owner)
                .setParameter(3, expiresIn).executeUpdate());
    }

    long holders(long rollout, String owner) {
        return QuarkusTransaction.requiringNew().call(() -> ((Number) em.createNativeQuery(
                "select count(*) from engine_lease where rollout_id = ?1 and owner = ?2").setParameter(1, rollout)
                .setParameter(2, owner).getSingleResult()).longValue());
    }

    long abortedRollout(String name, String node, String version) {
        return ConcurrentStartTestPlans.abortedRollout(name, node, version);
    }

    long events(long rollout, String kind) {
        return QuarkusTransaction.requiringNew().call(() -> RolloutEvent.count("rolloutId = ?1 and kind = ?2", rollout, kind));
    }

    /**
     * Fencing: a replica whose lease was taken over while its step ran commits nothing of that step (neither the node
     * run, nor its events, nor an intent that would let it act on the host), even once it holds the lease again under
     * a new epoch; the replica holding the lease now commits.
     */
    @Test
    void aStepDispatchedUnderALostLeaseCommitsNothing() {
        long id = abortedRollout("fencing", "gpu-h100-11", "570.124.51");
        Lease first = store.lease(id, "replica-b", Duration.ofSeconds(30)).orElseThrow();
        long nodeRunId = QuarkusTransaction.requiringNew().call(() -> NodeRun.<NodeRun>find("rolloutId", id).firstResult().id);
        NodeRun run = store.detached(nodeRunId);
        NodeRun next = run.copy();
        next.progress = "installing under replica-b";
        next.pendingAction = "install";
        Decision intent = new Decision(next, List.of(new Decision.Event("node.install-started", "installing (fenced)")), List.of(),
                List.of(new Decision.StartInstall("fenced-job")));

        leaseOf(id, "replica-b", "-1 second");
        Lease taker = store.lease(id, "replica-c", Duration.ofSeconds(30)).orElseThrow();
        assertThat(taker.epoch()).isNotEqualTo(first.epoch());
        assertThat(store.commitStep(intent, first, java.time.Instant.now())).as("replica-b lost its lease").isEmpty();
        assertThat(store.apply(first, List.of(new Action.Halt("fenced")), java.time.Instant.now())).isFalse();

        store.release("replica-c");
        Lease again = store.lease(id, "replica-b", Duration.ofSeconds(30)).orElseThrow();
        assertThat(again.epoch()).as("a lease taken again is a new epoch").isNotEqualTo(first.epoch());
        assertThat(store.commitStep(intent, first, java.time.Instant.now())).as("work dispatched under the old epoch stays fenced").isEmpty();
        assertThat(store.detached(nodeRunId).version).isEqualTo(run.version);
        assertThat(store.detached(nodeRunId).pendingAction).isNull();
        assertThat(events(id, "node.install-started")).isZero();
        assertThat(events(id, "rollout.halted")).isZero();

        assertThat(store.lease(id, "replica-b", Duration.ofSeconds(30))).as("renewing keeps the epoch").contains(again);
        assertThat(store.commitStep(intent, again, java.time.Instant.now())).isPresent();
        assertThat(store.detached(nodeRunId).pendingAction).isEqualTo("install");
        assertThat(events(id, "node.install-started")).isEqualTo(1);
        store.release("replica-b");
    }

    @Test
    void aLiveLeaseIsRespectedByTheDatabasesClockAndAReleasedOneIsFreeAtOnce() {
        String plan = ConcurrentStartTest.plan("leases", "gpu-h100-12").replace("570.124.90", "570.124.50");
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        // A finished rollout: this process's own engine leaves its lease row alone, so only the replicas below compete.
        given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort").then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "ABORTED".equals(given().when()
                .get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().path("state")));

        leaseOf(id, "replica-b", "1 hour");
        assertThat(store.lease(id, "replica-c", Duration.ofSeconds(30))).as("replica-b's lease is live in the database's time").isEmpty();
        assertThat(holders(id, "replica-b")).isEqualTo(1);

        leaseOf(id, "replica-b", "-1 second");
        assertThat(store.lease(id, "replica-c", Duration.ofSeconds(30))).as("an expired lease is taken over").isPresent();
        assertThat(store.lease(id, "replica-b", Duration.ofSeconds(30))).as("and is now replica-c's").isEmpty();

        assertThat(store.release("replica-c")).isEqualTo(1);
        assertThat(holders(id, "replica-c")).isZero();
        assertThat(store.lease(id, "replica-b", Duration.ofSeconds(30))).as("released: free for the next replica at once").isPresent();
        store.release("replica-b");
    }
}
