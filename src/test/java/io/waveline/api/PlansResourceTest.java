package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = StaticInventoryResource.class, restrictToAnnotatedClass = true)
class PlansResourceTest {

    static String shippedPlan(String file) throws IOException {
        return Files.readString(Path.of("rollout-plans", file));
    }

    @Test
    void listsEveryShippedPlanAsValidAgainstTheDemoFleet() {
        given().when().get("/api/v1/plans").then().statusCode(200)
                .body("name", hasItem("h100-driver-570"))
                .body("name", hasItem("mixed-fleet-coverage"))
                .body("name", hasItem("a100-fabricmanager-bundle"))
                .body("valid", everyItem(equalTo(true)))
                .body("find { it.name == 'h100-driver-570' }.waves", contains("canary", "staged", "fleet"))
                .body("find { it.name == 'h100-driver-570' }.nodesToUpgrade", equalTo(16));
    }

    @Test
    void onePlanShowsItsWavesTimingsCapacityAndCost() {
        given().queryParam("start", "2026-11-25T12:00:00Z").when().get("/api/v1/plans/h100-driver-570").then()
                .statusCode(200)
                .body("valid", equalTo(true))
                .body("errors", hasSize(0))
                .body("plan.limits.maxUnavailable", equalTo("4"))
                .body("plan.checks.name", hasItem("dcgm-diag"))
                .body("preview.start", equalTo("2026-11-25T12:00:00Z"))
                .body("preview.waves.name", contains("canary", "staged", "fleet"))
                .body("preview.waves[0].nodes", contains("gpu-h100-01"))
                .body("preview.waves[1].nodes", contains("gpu-h100-05", "gpu-h100-09"))
                .body("preview.waves[2].nodes", hasSize(13))
                .body("preview.poolGpus", equalTo(128))
                .body("preview.peakNodesOut", equalTo(4))
                .body("preview.minGpusInServicePercent", equalTo(75.0f))
                .body("preview.gpuHoursOutOfService", equalTo(96.0f))
                .body("preview.costUsd", equalTo(239.04f))
                .body("preview.approvalGates", equalTo(1))
                .body("preview.estimatedDuration", equalTo("6h"));
    }

    @Test
    void coverageCanarySamplesEveryClassOfTheMixedFleet() {
        given().when().get("/api/v1/plans/mixed-fleet-coverage").then().statusCode(200)
                .body("preview.waves[0].nodes", contains("gpu-h100-01", "gpu-a100-01", "gpu-a100-07"));
    }

    @Test
    void nodesAtTargetAndOutOfServiceAreSkippedWithTheReason() {
        given().when().get("/api/v1/plans/l40s-driver-only").then().statusCode(200)
                .body("preview.nodesToUpgrade", equalTo(3))
                .body("preview.skipped.find { it.name == 'gpu-l40s-05' }.reason", equalTo("already-at-target"))
                .body("preview.skipped.find { it.name == 'gpu-l40s-03' }.reason", equalTo("unavailable"));
    }

    @Test
    void unknownPlanIsA404Problem() {
        given().when().get("/api/v1/plans/nope").then().statusCode(404).contentType("application/problem+json")
                .body("detail", containsString("no plan named \"nope\""));
    }

    @Test
    void validatingAGoodPlanReturnsItsPreviewAndStoresNothing() throws IOException {
        given().body(shippedPlan("h100-driver-570.yaml").getBytes(StandardCharsets.UTF_8)).contentType("application/yaml")
                .when().post("/api/v1/plans/validate").then().statusCode(200)
                .body("valid", equalTo(true))
                .body("name", equalTo("h100-driver-570"))
                .body("preview.waves.name", contains("canary", "staged", "fleet"))
                .body("preview.nodesToUpgrade", equalTo(16));
        long shipped;
        try (java.util.stream.Stream<Path> files = Files.list(Path.of("rollout-plans"))) {
            shipped = files.filter(p -> p.toString().endsWith(".yaml")).count();
        }
        given().when().get("/api/v1/plans").then().body("size()", equalTo((int) shipped));
    }

    @Test
    void plainCurlBodiesAreAcceptedToo() throws IOException {
        given().body(shippedPlan("l40s-driver-only.yaml")).contentType("application/x-www-form-urlencoded")
                .when().post("/api/v1/plans/validate").then().statusCode(200).body("valid", equalTo(true));
    }

    @Test
    void invalidPlanIs422ProblemJsonWithEveryErrorLocated() throws IOException {
        String broken = shippedPlan("h100-driver-570.yaml").replace("size: \"10%\"", "size: \"120%\"")
                .replace("      soak: 30m", "      soka: 30m");
        given().body(broken).queryParam("file", "h100.yaml").when().post("/api/v1/plans/validate").then()
                .statusCode(422)
                .contentType("application/problem+json")
                .body("status", equalTo(422))
                .body("title", equalTo("Invalid rollout plan"))
                .body("errors", hasSize(2))
                .body("errors[0].file", equalTo("h100.yaml"))
                .body("errors[0].line", equalTo(21))
                .body("errors[0].column", equalTo(7))
                .body("errors[0].path", equalTo("spec.waves[0].soka"))
                .body("errors[0].message", containsString("did you mean \"soak\""))
                .body("errors[1].line", equalTo(24))
                .body("errors[1].path", equalTo("spec.waves[1].size"));
    }

    @Test
    void planThatSelectsNoNodeIs422AtTheSelector() throws IOException {
        String elsewhere = shippedPlan("l40s-driver-only.yaml").replace("pool=l40s", "pool=tpu");
        given().body(elsewhere).when().post("/api/v1/plans/validate").then().statusCode(422)
                .body("errors", hasSize(1))
                .body("errors[0].path", equalTo("spec.target.selector"))
                .body("errors[0].line", equalTo(10))
                .body("errors[0].message", containsString("selects no node of the fleet"));
    }

    @Test
    void driverWithoutFabricManagerOnNvswitchNodesIsRefused() throws IOException {
        String driverOnly = shippedPlan("h100-driver-570.yaml").replace("      nvidia-fabricmanager: \"570.133.20\"\n", "");
        given().body(driverOnly).when().post("/api/v1/plans/validate").then().statusCode(422)
                .body("errors[0].path", equalTo("spec.target.components"))
                .body("errors[0].message", containsString("add nvidia-fabricmanager: \"570.133.20\""));
    }

    @Test
    void emptyBodyAndBadStartAreExplained() {
        given().body("").when().post("/api/v1/plans/validate").then().statusCode(422)
                .body("errors[0].message", equalTo("the document is empty"));
        given().queryParam("start", "tomorrow").when().get("/api/v1/plans/h100-driver-570").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", containsString("is not an ISO-8601 instant"))
                .body("errors", nullValue());
    }

    @Test
    void waveCostAndDurationsAreConsistent() {
        given().when().get("/api/v1/plans/a100-fabricmanager-bundle").then().statusCode(200)
                .body("preview.skipped", hasSize(2))
                .body("preview.nodesToUpgrade", equalTo(6))
                .body("preview.estimatedDurationSeconds", greaterThan(0));
    }
}
