package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * Authorization is the framework's: every operation the OpenAPI document lists is refused without a token (401) and
 * with a role too low (403), also when the path is written differently (trailing or double slash, dot segments,
 * encoded characters, matrix parameters), since the role is decided where JAX-RS routes, not by matching the path.
 */
@QuarkusTest
@TestProfile(AccessControlTest.WithTokens.class)
class AuthorizationTest {

    /** The role each operation needs; an operation the document lists that is missing here fails the test. */
    static final Map<String, String> NEEDED = Map.ofEntries(
            Map.entry("GET /api/v1/nodes", "viewer"), Map.entry("GET /api/v1/nodes/{name}", "viewer"),
            Map.entry("GET /api/v1/inventory/sources", "viewer"), Map.entry("POST /api/v1/inventory/refresh", "operator"),
            Map.entry("GET /api/v1/notifications", "viewer"), Map.entry("GET /api/v1/system", "viewer"),
            Map.entry("GET /api/v1/plans", "viewer"),
            Map.entry("GET /api/v1/plans/{name}", "viewer"), Map.entry("POST /api/v1/plans/validate", "viewer"),
            Map.entry("GET /api/v1/rollouts", "viewer"), Map.entry("POST /api/v1/rollouts", "operator"),
            Map.entry("GET /api/v1/rollouts/{id}", "viewer"), Map.entry("GET /api/v1/rollouts/{id}/events", "viewer"),
            Map.entry("GET /api/v1/rollouts/{id}/nodes", "viewer"),
            Map.entry("POST /api/v1/rollouts/{id}/pause", "operator"), Map.entry("POST /api/v1/rollouts/{id}/resume", "operator"),
            Map.entry("POST /api/v1/rollouts/{id}/abort", "operator"), Map.entry("POST /api/v1/rollouts/{id}/approve", "approver"),
            Map.entry("POST /api/v1/rollouts/{id}/rollback", "operator"), Map.entry("POST /api/v1/rollouts/{id}/{command}", "operator"),
            // chat platforms prove themselves by signature or token, not by a bearer token
            Map.entry("POST /chatops/slack/commands", "signed"), Map.entry("POST /chatops/slack/interactions", "signed"),
            Map.entry("POST /chatops/mattermost/commands", "signed"));

    /** A token one role below each role (a bearer token of any role for a signed endpoint). */
    static final Map<String, String> TOO_LOW = Map.of("operator", "vera-token", "approver", "alice-token", "signed", "adam-token");

    record Operation(String method, String path) {
        String key() {
            return method + " " + path;
        }

        String concrete() {
            return path.replace("{name}", "gpu-h100-01").replace("{id}", "1").replace("{command}", "pause");
        }
    }

    static List<Operation> operations() {
        JsonPath doc = given().queryParam("format", "json").when().get("/q/openapi").then().statusCode(200).extract().jsonPath();
        Map<String, Map<String, Object>> paths = doc.getMap("paths");
        List<Operation> operations = new ArrayList<>();
        paths.forEach((path, methods) -> methods.keySet().stream().filter(m -> List.of("get", "post", "put", "delete", "patch").contains(m))
                .forEach(m -> operations.add(new Operation(m.toUpperCase(), path))));
        return operations;
    }

    /** The same path, written the ways a router may still take it. */
    static List<String> variants(String path) {
        List<String> all = new ArrayList<>(List.of(path, path + "/", path.replaceFirst("/api/v1/", "/api/v1//"),
                path.replaceFirst("/api/v1/", "/api/v1/./"), path + ";x=1"));
        if (path.contains("/1")) {
            all.add(path.replaceFirst("/1(/|$)", "/%2B1$1"));
            all.add(path.replaceFirst("/1(/|$)", "/01$1"));
        }
        int last = path.lastIndexOf('/');
        all.add(path.substring(0, last) + "/" + path.substring(last + 1).replace("e", "%65"));
        return all;
    }

    @Test
    void everyOperationNeedsATokenAndTheRightRoleHoweverItsPathIsWritten() {
        List<Operation> operations = operations();
        assertThat(operations).extracting(Operation::key).as("every operation has a role in this test")
                .allSatisfy(key -> assertThat(NEEDED).containsKey(key));
        assertThat(operations).hasSizeGreaterThanOrEqualTo(NEEDED.size() - 1);
        for (Operation op : operations) {
            String needed = NEEDED.get(op.key());
            for (String path : variants(op.concrete())) {
                String type = op.path().startsWith("/chatops/") ? "application/x-www-form-urlencoded" : "application/json";
                String body = op.path().startsWith("/chatops/") ? "text=status" : "{}";
                int anonymous = given().contentType(type).body(body).urlEncodingEnabled(false)
                        .when().request(op.method(), path).then().extract().statusCode();
                assertThat(anonymous).as("%s %s without a token", op.method(), path).isIn(401, 404, 405);
                String low = TOO_LOW.get(needed);
                if (low != null) {
                    int tooLow = given().auth().oauth2(low).contentType(type).body(body).urlEncodingEnabled(false)
                            .when().request(op.method(), path).then().extract().statusCode();
                    assertThat(tooLow).as("%s %s with a role below %s", op.method(), path, needed)
                            .isIn(needed.equals("signed") ? List.of(401, 404, 405) : List.of(403, 404, 405));
                }
            }
        }
    }

    @Test
    void anOperatorCannotApproveAWaveThroughAnyWayOfWritingThePath() {
        long id = given().auth().oauth2("alice-token").contentType(ContentType.JSON).body(Map.of("planYaml", AccessControlTest.PLAN
                .replace("two-person", "approval-paths").replace("gpu-h100-16", "gpu-h100-14"))).when().post("/api/v1/rollouts").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        for (String path : List.of("/api/v1/rollouts/" + id + "/approve", "/api/v1/rollouts/" + id + "/approve/",
                "/api/v1/rollouts/" + id + "/approve//", "/api/v1/rollouts/" + id + "/approve/.", "/api/v1/rollouts/%2B" + id + "/approve",
                "/api/v1//rollouts/" + id + "/approve", "/api/v1/rollouts/" + id + "/./approve", "/api/v1/rollouts/" + id + "/approve;x=1",
                "/api/v1/rollouts/" + id + "/%61pprove")) {
            int status = given().auth().oauth2("alice-token").urlEncodingEnabled(false).when().post(path).then().extract().statusCode();
            assertThat(status).as(path).isIn(403, 404);
        }
        JsonPath rollout = given().auth().oauth2("vera-token").when().get("/api/v1/rollouts/" + id + "?nodes=true").then().statusCode(200)
                .extract().jsonPath();
        assertThat(rollout.getString("state")).isEqualTo("WAITING_APPROVAL");
        given().auth().oauth2("adam-token").when().post("/api/v1/rollouts/" + id + "/abort").then().statusCode(200);
    }
}
