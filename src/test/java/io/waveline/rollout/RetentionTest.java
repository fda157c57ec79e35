package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Retention: rollouts finished longer ago than the kept age go, with their node runs, check results and events;
 * recent and unfinished ones stay. {@code /api/v1/system} shows the database's size and counts.
 */
@QuarkusTest
class RetentionTest {

    @Inject
    Retention retention;

    @Inject
    EntityManager em;

    long abortedRollout(String name, String node, String version) {
        return ConcurrentStartTestPlans.abortedRollout(name, node, version);
    }

    void finishedDaysAgo(long id, int days) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update rollout set finished_at = now() - ?2 * interval '1 day'"
                + " where id = ?1").setParameter(1, id).setParameter(2, days).executeUpdate());
    }

    @Test
    void rolloutsFinishedLongerAgoThanKeptAreDeletedWithEverythingTheyRecorded() {
        long old = abortedRollout("retention-old", "gpu-h100-05", "570.124.71");
        long recent = abortedRollout("retention-recent", "gpu-h100-05", "570.124.72");
        finishedDaysAgo(old, 100);
        finishedDaysAgo(recent, 2);
        JsonPath before = given().when().get("/api/v1/system").then().statusCode(200).extract().jsonPath();
        assertThat(before.getLong("database.sizeBytes")).isPositive();
        assertThat(before.getLong("database.events")).isPositive();
        assertThat(before.getString("retention.keep")).isEqualTo("keep");

        Retention.Purge purge = retention.purgeFinishedBefore(Instant.now().minus(Duration.ofDays(30)));

        assertThat(purge.rollouts()).isGreaterThanOrEqualTo(1);
        assertThat(purge.nodeRuns()).isGreaterThanOrEqualTo(1);
        assertThat(purge.events()).isGreaterThanOrEqualTo(3);
        given().when().get("/api/v1/rollouts/" + old + "?nodes=true").then().statusCode(404);
        given().when().get("/api/v1/rollouts/" + recent + "?nodes=true").then().statusCode(200);
        assertThat(given().when().get("/api/v1/rollouts/" + recent + "/events").then().extract().jsonPath().getList("kind"))
                .contains("rollout.aborted");
        JsonPath after = given().when().get("/api/v1/system").then().statusCode(200).extract().jsonPath();
        assertThat(after.getLong("database.events")).isEqualTo(before.getLong("database.events") - purge.events());
        assertThat(after.getLong("database.rollouts")).isEqualTo(before.getLong("database.rollouts") - purge.rollouts());
        assertThat(after.getInt("retention.lastPurge.rollouts")).isEqualTo(purge.rollouts());
    }
}
