package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;

/**
 * A follower of {@code ?after=<last id seen>} sees every event exactly once, even when a lower event id commits
 * after a higher one (two transactions recording at once, as the engine's workers, the loop, REST and chat do).
 */
@QuarkusTest
class EventFollowingTest {

    @Inject
    DataSource db;

    static long record(Connection tx, long rollout, String kind) throws SQLException {
        try (PreparedStatement insert = tx.prepareStatement("insert into rollout_event (rollout_id, at, actor, kind, message)"
                + " values (?, now(), 'test', ?, 'recorded by the test') returning id")) {
            insert.setLong(1, rollout);
            insert.setString(2, kind);
            try (ResultSet id = insert.executeQuery()) {
                id.next();
                return id.getLong(1);
            }
        }
    }

    static List<Long> after(long rollout, long last) {
        return given().when().get("/api/v1/rollouts/" + rollout + "/events?after=" + last).then().statusCode(200).extract()
                .jsonPath().getList("id", Long.class);
    }

    @Test
    void aLowerIdThatCommitsLaterIsNotPassedOver() throws SQLException {
        String plan = ConcurrentStartTest.plan("follow-events", "gpu-h100-08").replace("570.124.90", "570.124.60");
        long rollout = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        List<Long> seen = new ArrayList<>(after(rollout, 0));
        long cursor = seen.get(seen.size() - 1);

        try (Connection first = db.getConnection(); Connection second = db.getConnection()) {
            first.setAutoCommit(false);
            second.setAutoCommit(false);
            long lower = record(first, rollout, "test.first");
            long higher = record(second, rollout, "test.second");
            assertThat(higher).isGreaterThan(lower);
            second.commit();

            List<Long> whileFirstRuns = after(rollout, cursor);
            assertThat(whileFirstRuns).as("the higher id waits while the lower one may still commit").doesNotContain(higher, lower);
            seen.addAll(whileFirstRuns);
            if (!whileFirstRuns.isEmpty()) {
                cursor = whileFirstRuns.get(whileFirstRuns.size() - 1);
            }

            first.commit();
            List<Long> afterwards = after(rollout, cursor);
            seen.addAll(afterwards);
            assertThat(afterwards).containsSubsequence(lower, higher);
        }
        assertThat(seen).doesNotHaveDuplicates();
        given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + rollout + "/abort").then().statusCode(200);
    }
}
