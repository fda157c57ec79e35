package io.waveline.rollout;

/** The one-node, approval-gated plan of {@link ConcurrentStartTest}, for tests outside this package. */
public final class ConcurrentStartTestPlans {

    private ConcurrentStartTestPlans() {
    }

    public static String plan(String name, String node, String version) {
        return ConcurrentStartTest.plan(name, node).replace("570.124.90", version);
    }

    /** Starts that plan and aborts it before any node is touched; answers the rollout's id once it is ABORTED. */
    public static long abortedRollout(String name, String node, String version) {
        long id = io.restassured.RestAssured.given().contentType(io.restassured.http.ContentType.JSON).header("X-Waveline-Actor", "alice")
                .body(java.util.Map.of("planYaml", plan(name, node, version))).when().post("/api/v1/rollouts").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        io.restassured.RestAssured.given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort").then()
                .statusCode(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "ABORTED".equals(
                io.restassured.RestAssured.given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().path("state")));
        return id;
    }
}
