package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** What only shows past 32,767 nodes in one rollout: more ids than one query may list (its bind-parameter limit). */
@QuarkusTest
class WideRolloutTest {

    @jakarta.inject.Inject
    HeldViews held;

    /**
     * Aborting a rollout skips every node still pending, in one commit: past 32,767 of them too. Before the engine
     * listed them in blocks, that commit failed at every tick and the rollout never ended.
     */
    @Test
    void anAbortSkipsEveryPendingNodeOfARolloutOfMoreThan32767NodesAndTheRolloutEnds() {
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice")
                .body(Map.of("planYaml", ConcurrentStartTestPlans.plan("wide-abort", "gpu-h100-16", "570.124.99"))).when()
                .post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_APPROVAL".equals(given().queryParam("nodes", false).when()
                .get("/api/v1/rollouts/" + id).then().extract().path("state")));
        int added = 33_000;
        WideRollouts.addCopies(id, added, NodeState.PENDING);
        held.drop(id); // the engine reads the rollout's node runs again, the copies with them, as after a restart
        try {
            // at its next tick; from then on no read it began before the copies were written can stand for the rollout
            await().atMost(Duration.ofMinutes(1)).until(() -> held.earlier(id).map(h -> h.order.size()).orElse(0) == added + 1);
            given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort").then().statusCode(200);
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> "ABORTED".equals(given()
                    .queryParam("nodes", false).when().get("/api/v1/rollouts/" + id).then().extract().path("state")));
            Map<String, Integer> byState = given().queryParam("nodes", false).when().get("/api/v1/rollouts/" + id).then().statusCode(200)
                    .extract().jsonPath().getMap("nodesByState");
            assertThat(byState).as("every node skipped, none left pending").containsExactly(Map.entry("SKIPPED", added + 1));
            assertThat(given().queryParam("state", "SKIPPED").queryParam("after", "wide-32999").when()
                    .get("/api/v1/rollouts/" + id + "/nodes").then().statusCode(200).extract().jsonPath().<String>getList("name"))
                    .containsExactly("wide-33000");
        } finally {
            WideRollouts.removeCopies(id);
        }
    }
}
