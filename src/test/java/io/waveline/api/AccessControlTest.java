package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

@QuarkusTest
@TestProfile(AccessControlTest.WithTokens.class)
public class AccessControlTest {

    public static class WithTokens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("waveline.auth.enabled", "true", "waveline.auth.tokens",
                    "vera:viewer:" + sha("vera-token") + ",alice:operator:" + sha("alice-token") + ",bob:approver:"
                            + sha("bob-token") + ",adam:admin:" + sha("adam-token"));
        }
    }

    static String sha(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static final String PLAN = """
            apiVersion: waveline/v1
            kind: RolloutPlan
            metadata:
              name: two-person
            spec:
              target:
                nodes: [gpu-h100-16]
                components:
                  nvidia-driver: "570.124.06"
                  nvidia-fabricmanager: "570.124.06"
              waves:
                - name: all
                  size: rest
                  approval: required
              approvals:
                twoPersonRule: true
            """;

    @Test
    void withoutAKnownTokenEveryApiCallIs401() {
        given().when().get("/api/v1/nodes").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", containsString("Bearer")).body("detail", containsString("Authorization: Bearer"));
        given().auth().oauth2("guess").when().get("/api/v1/nodes").then().statusCode(401)
                .body("detail", equalTo("the bearer token is not known"));
        given().when().get("/q/health").then().statusCode(200);
    }

    @Test
    void rolesDecideWhatACallerMayDoAndTheTwoPersonRuleHolds() {
        given().auth().oauth2("vera-token").when().get("/api/v1/nodes").then().statusCode(200);
        given().auth().oauth2("vera-token").contentType(ContentType.JSON).body(Map.of("planYaml", PLAN))
                .when().post("/api/v1/rollouts").then().statusCode(403).contentType("application/problem+json")
                .body("detail", equalTo("vera is viewer; this needs operator"));

        long id = given().auth().oauth2("bob-token").contentType(ContentType.JSON).body(Map.of("planYaml", PLAN))
                .when().post("/api/v1/rollouts").then().statusCode(201).body("startedBy", equalTo("bob"))
                .body("state", equalTo("WAITING_APPROVAL")).extract().jsonPath().getLong("id");
        given().auth().oauth2("alice-token").when().post("/api/v1/rollouts/" + id + "/approve").then().statusCode(403)
                .body("detail", equalTo("alice is operator; this needs approver"));
        given().auth().oauth2("bob-token").when().post("/api/v1/rollouts/" + id + "/approve").then().statusCode(403)
                .body("detail", containsString("bob started rollout " + id + " and cannot also approve"));
        given().auth().oauth2("adam-token").when().post("/api/v1/rollouts/" + id + "/approve").then().statusCode(200);
        await().atMost(Duration.ofSeconds(60)).until(() -> given().auth().oauth2("vera-token").when()
                .get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().path("state").equals("SUCCEEDED"));

        List<Map<String, Object>> events = given().auth().oauth2("vera-token").when()
                .get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(events).anySatisfy(e -> assertThat(e).containsEntry("kind", "rollout.started").containsEntry("actor", "bob"));
        assertThat(events).anySatisfy(e -> assertThat(e).containsEntry("kind", "wave.approved").containsEntry("actor", "adam"));
    }
}
