package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * Reads that stay small on large rollouts: the summary ({@code ?nodes=false}) carries the waves with their node counts
 * by state and no node; the nodes come a page at a time from {@code /nodes}, filtered by state and wave.
 */
@QuarkusTest
class RolloutReadsTest {

    @jakarta.inject.Inject
    RolloutSummaries summaries;

    @Test
    void theSummaryAStartOrACommandAnswersIsTheOneItsReadersAreAnsweredWithoutARead() {
        String plan = io.waveline.rollout.ConcurrentStartTestPlans.plan("reads-kept", "gpu-h100-11", "570.124.97");
        JsonPath started = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath();
        long id = started.getLong("id");
        try {
            java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();
            assertThat(summaries.kept(id, reads::incrementAndGet)).as("the dashboards opening the new rollout are not held for a read")
                    .hasValueSatisfying(kept -> assertThat(kept.createdAt()).isEqualTo(java.time.Instant.parse(started.getString("createdAt"))));
            given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/pause").then().statusCode(200);
            assertThat(summaries.kept(id, reads::incrementAndGet)).as("the pause's answer is kept too, showing it")
                    .hasValueSatisfying(kept -> assertThat(kept.state()).isEqualTo("PAUSED"));
            assertThat(given().queryParam("nodes", false).when().get("/api/v1/rollouts/" + id).then().statusCode(200).extract()
                    .jsonPath().getString("state")).isEqualTo("PAUSED");
        } finally {
            given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort");
        }
    }

    @Test
    void theSummaryHasCountsAndNoNodesAndTheNodesComeByPageAndState() {
        String plan = io.waveline.rollout.ConcurrentStartTestPlans.plan("reads", "gpu-h100-13, gpu-h100-14, gpu-h100-15", "570.124.95");
        Response started = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().response();
        long id = started.jsonPath().getLong("id");
        try {
            assertThat(started.header("Location")).as("the start names the rollout's URL").endsWith("/api/v1/rollouts/" + id);
            assertThat(started.jsonPath().getMap("waves[0].nodesByState")).as("and answers its summary").containsEntry("PENDING", 3);
            assertThat(started.jsonPath().getList("waves[0].nodes")).as("without the nodes").isEmpty();
            String overlapping = io.waveline.rollout.ConcurrentStartTestPlans.plan("reads-overlap", "gpu-h100-14, gpu-h100-16", "570.124.95");
            int before = given().queryParam("limit", 500).when().get("/api/v1/rollouts").then().extract().jsonPath().getList("id").size();
            given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", overlapping))
                    .when().post("/api/v1/rollouts").then().statusCode(409)
                    .body("detail", containsString("nodes are already in an unfinished rollout: gpu-h100-14 (rollout " + id + ")"));
            assertThat(given().queryParam("limit", 500).when().get("/api/v1/rollouts").then().extract().jsonPath().getList("id"))
                    .as("the refused start made no rollout").hasSize(before);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_APPROVAL".equals(given().when()
                    .get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().path("state")));

            JsonPath summary = given().queryParam("nodes", false).when().get("/api/v1/rollouts/" + id).then().statusCode(200)
                    .extract().jsonPath();
            assertThat(summary.getMap("nodesByState")).containsEntry("PENDING", 3);
            assertThat(summary.getMap("waves[0].nodesByState")).containsEntry("PENDING", 3);
            assertThat(summary.getList("waves[0].nodes")).isEmpty();
            assertThat(given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().jsonPath().getList("waves[0].nodes.name"))
                    .as("the full view, with nodes=true, lists the nodes").hasSize(3);
            JsonPath plain = given().when().get("/api/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath();
            assertThat(plain.getList("waves[0].nodes")).as("without nodes=true: the summary").isEmpty();
            assertThat(plain.getMap("waves[0].nodesByState")).containsEntry("PENDING", 3);
            assertThat(given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/pause").then().statusCode(200)
                    .extract().jsonPath().getList("waves[0].nodes")).as("a command answers the summary too").isEmpty();
            given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/resume").then().statusCode(200);

            Response first = given().queryParam("limit", 2).when().get("/api/v1/rollouts/" + id + "/nodes").then().statusCode(200)
                    .extract().response();
            assertThat(first.jsonPath().getList("name")).containsExactly("gpu-h100-13", "gpu-h100-14");
            assertThat(first.header("Link")).contains("after=gpu-h100-14");
            assertThat(given().queryParam("limit", 2).queryParam("after", "gpu-h100-14").when().get("/api/v1/rollouts/" + id + "/nodes")
                    .then().extract().jsonPath().getList("name")).containsExactly("gpu-h100-15");
            assertThat(given().queryParam("state", "pending").queryParam("wave", 0).when().get("/api/v1/rollouts/" + id + "/nodes").then()
                    .extract().jsonPath().getList("state")).containsExactly("PENDING", "PENDING", "PENDING");
            assertThat(given().queryParam("state", "FAILED").when().get("/api/v1/rollouts/" + id + "/nodes").then().extract().jsonPath()
                    .getList("name")).isEmpty();
            given().queryParam("state", "BROKEN").when().get("/api/v1/rollouts/" + id + "/nodes").then().statusCode(400)
                    .body("detail", containsString("is not one of"));
            given().when().get("/api/v1/rollouts/987654321/nodes").then().statusCode(404)
                    .body("detail", containsString("no rollout 987654321"));
            // The summary is kept and shared by its readers for waveline.api.summary-max-age; a command shows at once all the same.
            given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/pause").then().statusCode(200);
            assertThat(given().queryParam("nodes", false).when().get("/api/v1/rollouts/" + id).then().statusCode(200).extract()
                    .jsonPath().getString("state")).isEqualTo("PAUSED");
            given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/resume").then().statusCode(200);
            assertThat(given().queryParam("nodes", false).when().get("/api/v1/rollouts/" + id).then().statusCode(200).extract()
                    .jsonPath().getString("state")).isNotEqualTo("PAUSED");
        } finally {
            given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort");
        }
    }

    /**
     * The full view ({@code ?nodes=true}) of a rollout with more nodes than one query may list by id (the PostgreSQL
     * driver sends at most 32,767 bind parameters): every node comes back, with its checks and their figures.
     */
    @Test
    void theFullViewOfARolloutOfMoreThan32767NodesHasThemAllWithTheirChecks() {
        long id = io.waveline.rollout.ConcurrentStartTestPlans.abortedRollout("reads-wide", "gpu-h100-16", "570.124.98");
        int added = 33_000;
        io.waveline.rollout.WideRollouts.addCopies(id, added, io.waveline.rollout.NodeState.SKIPPED);
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> io.waveline.rollout.NodeRun.getEntityManager()
                .createNativeQuery("insert into check_result (node_run_id, check_name, direction, status, summary, figures, at) select id,"
                        + " 'gpu-inventory', 'FORWARD', 'PASS', '8 GPUs', cast('{\"gpus\": 8}' as jsonb), now() from node_run"
                        + " where rollout_id = ?1 and node_name = 'wide-33000'").setParameter(1, id).executeUpdate());
        try {
            JsonPath full = given().queryParam("nodes", true).when().get("/api/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath();
            assertThat(full.getList("waves[0].nodes.name")).hasSize(added + 1).contains("gpu-h100-16", "wide-00001", "wide-33000");
            assertThat(full.getInt("waves[0].nodes.find { it.name == 'wide-33000' }.checks[0].figures.gpus")).isEqualTo(8);
        } finally {
            io.waveline.rollout.WideRollouts.removeCopies(id);
        }
    }

    @Test
    void listPagesLeaveTheGpuBaselineOutUnlessAsked() {
        String plan = io.waveline.rollout.ConcurrentStartTestPlans.plan("reads-baseline", "gpu-h100-12", "570.124.96");
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_APPROVAL".equals(given().when()
                .get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().path("state")));
        given().header("X-Waveline-Actor", "bob").when().post("/api/v1/rollouts/" + id + "/approve").then().statusCode(200);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(given().when()
                .get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().path("state")));

        assertThat(given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().jsonPath().getMap("waves[0].nodes[0].baseline"))
                .as("the full view has the baseline").isNotEmpty();
        assertThat(given().when().get("/api/v1/rollouts/" + id + "/nodes").then().extract().jsonPath().getList("baseline"))
                .as("a page leaves it out").containsExactly((Object) null);
        assertThat(given().queryParam("baseline", true).when().get("/api/v1/rollouts/" + id + "/nodes").then().extract().jsonPath()
                .getMap("[0].baseline")).as("unless asked").isNotEmpty();
        List<Object> viewed = given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().jsonPath().getList("waves[0].nodes");
        assertThat(given().queryParam("baseline", true).when().get("/api/v1/rollouts/" + id + "/nodes").then().extract().jsonPath()
                .getList("")).as("a page shows a node as the full view does: states, versions, timings, checks").isEqualTo(viewed);
        assertThat(given().when().get("/api/v1/rollouts/" + id + "/nodes").then().extract().jsonPath().getList("[0].checks.name"))
                .as("with its check results").isNotEmpty();
    }
}
