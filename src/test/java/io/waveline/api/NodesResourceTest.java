package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.startsWith;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = StaticInventoryResource.class, restrictToAnnotatedClass = true)
class NodesResourceTest {

    @Test
    void listsTheWholeFleetFromEverySource() {
        given().when().get("/api/v1/nodes").then().statusCode(200)
                .body("size()", equalTo(35))
                .body("name", hasItems("gpu-h100-01", "gpu-a100-08", "gpu-mi300x-04", "gpu-b200-01"))
                .body("[0].name", equalTo("gpu-a100-01"));
    }

    @Test
    void filtersByLabelSelector() {
        given().queryParam("selector", "pool=h100,rack in (r01,r02)").when().get("/api/v1/nodes").then()
                .statusCode(200).body("size()", equalTo(8)).body("labels.pool", everyItem(equalTo("h100")));
    }

    @Test
    void oneNodeMergesWhatEachSourceKnows() {
        given().when().get("/api/v1/nodes/gpu-h100-01").then().statusCode(200)
                .body("address", equalTo("10.0.1.1"))
                .body("labels.owner", equalTo("team-a"))
                .body("labels.rack", equalTo("r01"))
                .body("gpu.model", equalTo("H100-SXM5-80GB"))
                .body("gpu.count", equalTo(8))
                .body("versions.nvidia-driver", equalTo("550.127.05"))
                .body("firstSeenAt", startsWith("20"));
    }

    @Test
    void unknownNodeIsAProblemJson404() {
        given().when().get("/api/v1/nodes/gpu-nope").then().statusCode(404)
                .contentType("application/problem+json")
                .body("status", equalTo(404))
                .body("title", equalTo("Not Found"))
                .body("detail", equalTo("no node named \"gpu-nope\" in the inventory"))
                .body("instance", equalTo("/api/v1/nodes/gpu-nope"));
    }

    @Test
    void badSelectorIsAProblemJson400() {
        given().queryParam("selector", "rack in r01").when().get("/api/v1/nodes").then().statusCode(400)
                .contentType("application/problem+json")
                .body("detail", startsWith("selector \"rack in r01\" at character 9"));
    }

    @Test
    void unknownPathIsProblemJsonToo() {
        given().when().get("/api/v1/nothing-here").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
    }

    @Test
    void openApiAndHealthAreServed() {
        given().when().get("/q/health").then().statusCode(200).body("status", equalTo("UP"));
        given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200)
                .body("paths.keySet()", hasItems("/api/v1/nodes", "/api/v1/nodes/{name}", "/api/v1/plans",
                        "/api/v1/plans/{name}", "/api/v1/plans/validate", "/api/v1/inventory/sources"));
        given().when().get("/q/swagger-ui/").then().statusCode(200);
        given().when().get("/api/v1/inventory/sources").then().statusCode(200).body("$", hasSize(2));
    }
}
