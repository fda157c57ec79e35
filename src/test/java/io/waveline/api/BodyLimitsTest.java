package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Each endpoint takes a body only as large as it needs: a plan at most about 1 MB, a chat request 256 KiB, a command
 * none to speak of. A larger one is refused with 413 and a problem naming the limit, before it is read.
 */
@QuarkusTest
class BodyLimitsTest {

    @Test
    void aPlanOverTheLimitIsRefusedWith413() {
        given().contentType("text/plain").body("#".repeat(1_200_000)).when().post("/api/v1/plans/validate").then()
                .statusCode(413).contentType("application/problem+json").body("status", equalTo(413))
                .body("detail", containsString("at most 1100000 bytes; the request has 1200000"));
    }

    @Test
    void aCommandWithABodyOfMegabytesIsRefused() {
        given().contentType("application/json").body("{\"x\":\"" + "a".repeat(50_000) + "\"}").when().post("/api/v1/rollouts/1/pause")
                .then().statusCode(413).body("detail", containsString("at most 4096 bytes"));
    }

    @Test
    void aChatRequestOverItsLimitIsRefused() {
        given().contentType("application/x-www-form-urlencoded").body("text=" + "a".repeat(300_000)).when().post("/chatops/mattermost/commands")
                .then().statusCode(413).body("detail", containsString("at most 262144 bytes"));
    }
}
