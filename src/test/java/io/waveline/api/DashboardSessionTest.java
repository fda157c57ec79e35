package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The dashboard's login: a token given once opens a session cookie with that token's identity and role, on the pages
 * and on the API; the cookie alone cannot change anything without htmx's header (no cross-site request forgery);
 * unknown tokens, logged-out and forged sessions are refused.
 */
@QuarkusTest
@TestProfile(AccessControlTest.WithTokens.class)
class DashboardSessionTest {

    static String logIn(String token) {
        Response login = given().redirects().follow(false).contentType("application/x-www-form-urlencoded").formParam("token", token)
                .when().post("/ui/login");
        assertThat(login.statusCode()).isEqualTo(303);
        assertThat(login.header("Location")).endsWith("/ui/rollouts");
        String cookie = login.header("Set-Cookie");
        assertThat(cookie).startsWith(DashboardSessions.COOKIE + "=").contains("HttpOnly").containsIgnoringCase("SameSite=Strict")
                .doesNotContain(token);
        return login.cookie(DashboardSessions.COOKIE);
    }

    @Test
    void aSessionCarriesItsTokensIdentityAndRoleOnPagesAndOnTheApi() {
        String vera = logIn("vera-token");
        given().redirects().follow(false).cookie(DashboardSessions.COOKIE, vera).when().get("/ui/rollouts").then().statusCode(200)
                .body(containsString("vera <span class=\"role\">(viewer)</span>"));
        given().cookie(DashboardSessions.COOKIE, vera).when().get("/api/v1/rollouts").then().statusCode(200);
        // a viewer's session is a viewer: a command is refused by role (403), as with her token
        given().cookie(DashboardSessions.COOKIE, vera).header("HX-Request", "true").contentType("application/json").body("{}")
                .when().post("/api/v1/rollouts/1/pause").then().statusCode(403).body("detail", containsString("vera is viewer"));

        String alice = logIn("alice-token");
        // without htmx's header the cookie does not count for a change: another site's form cannot use it
        given().cookie(DashboardSessions.COOKIE, alice).contentType("application/json").body("{\"plan\": \"demo-good-driver\"}")
                .when().post("/api/v1/rollouts").then().statusCode(401);
    }

    @Test
    void unknownTokensForgedAndEndedSessionsGoBackToTheLoginPage() {
        given().contentType("application/x-www-form-urlencoded").formParam("token", "not-a-token").when().post("/ui/login").then()
                .statusCode(401).body(containsString("That token is not known"));
        given().redirects().follow(false).when().get("/ui/fleet").then().statusCode(303).header("Location", containsString("/ui/login"));
        given().redirects().follow(false).cookie(DashboardSessions.COOKIE, "0".repeat(64)).when().get("/ui/fleet").then().statusCode(303)
                .header("Location", containsString("/ui/login"));
        // the API still answers 401 problem documents, not redirects
        given().cookie(DashboardSessions.COOKIE, "0".repeat(64)).when().get("/api/v1/nodes").then().statusCode(401);

        String bob = logIn("bob-token");
        given().redirects().follow(false).cookie(DashboardSessions.COOKIE, bob).when().get("/ui/plans").then().statusCode(200);
        given().redirects().follow(false).cookie(DashboardSessions.COOKIE, bob).when().post("/ui/logout").then().statusCode(303);
        given().redirects().follow(false).cookie(DashboardSessions.COOKIE, bob).when().get("/ui/plans").then().statusCode(303)
                .header("Location", containsString("/ui/login"));
    }
}
