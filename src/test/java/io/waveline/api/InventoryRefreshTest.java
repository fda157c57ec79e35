package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@QuarkusTestResource(value = StaticInventoryResource.class, restrictToAnnotatedClass = true)
class InventoryRefreshTest {

    @AfterEach
    void restoreTheInventory() {
        StaticInventoryResource.write(StaticInventoryResource.CONTENT);
        given().when().post("/api/v1/inventory/refresh").then().statusCode(200);
    }

    @Test
    void brokenInventoryFileKeepsTheLastGoodNodesAndSaysWhy() {
        String firstSeen = given().when().get("/api/v1/nodes/gpu-b200-01").then().statusCode(200)
                .extract().path("firstSeenAt");
        StaticInventoryResource.write("""
                nodes:
                  - name: gpu-b200-01
                    port: twenty-two
                """);
        given().when().post("/api/v1/inventory/refresh").then().statusCode(200)
                .body("find { it.name == 'static:static-fleet.yaml' }.healthy", equalTo(false))
                .body("find { it.name == 'static:static-fleet.yaml' }.errors[0].line", equalTo(3))
                .body("find { it.name == 'static:static-fleet.yaml' }.errors[0].path", equalTo("nodes[0].port"))
                .body("find { it.name == 'simulated' }.healthy", equalTo(true));
        given().when().get("/api/v1/nodes/gpu-b200-01").then().statusCode(200)
                .body("address", equalTo("10.0.9.1"))
                .body("firstSeenAt", equalTo(firstSeen));
    }

    @Test
    void nodeRemovedFromAHealthySourceLeavesTheFleet() {
        StaticInventoryResource.write("""
                nodes:
                  - name: gpu-h100-01
                    address: 10.0.1.1
                """);
        given().when().post("/api/v1/inventory/refresh").then().statusCode(200);
        given().when().get("/api/v1/nodes").then().statusCode(200).body("name", not(hasItem("gpu-b200-01")));
        given().when().get("/api/v1/nodes/gpu-b200-01").then().statusCode(404);
    }
}
