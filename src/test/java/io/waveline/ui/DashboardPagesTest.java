package io.waveline.ui;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.waveline.api.DashboardSessions;

/**
 * The dashboard's pages as HTML, on the simulated fleet: the fleet by pool and rack filtered by a selector (a bad one
 * named with its position), the plan directory with each plan's state, a node's page, and the plan editor's check.
 */
@QuarkusTest
@TestProfile(io.waveline.api.AccessControlTest.WithTokens.class)
class DashboardPagesTest {

    String session;

    @BeforeEach
    void logIn() {
        session = given().redirects().follow(false).contentType("application/x-www-form-urlencoded").formParam("token", "vera-token")
                .when().post("/ui/login").cookie(DashboardSessions.COOKIE);
    }

    String page(String path) {
        return given().cookie(DashboardSessions.COOKIE, session).when().get(path).then().statusCode(200).extract().asString();
    }

    @Test
    void theFleetIsGroupedByPoolAndRackAndFilteredWithAPlansSelector() {
        String all = page("/ui/fleet");
        assertThat(all).contains("aria-label=\"pool h100\"").contains("aria-label=\"pool a100\"").contains("aria-label=\"pool l40s\"")
                .contains("H100-SXM5-80GB × 8");
        String h100 = given().cookie(DashboardSessions.COOKIE, session).queryParam("selector", "pool=h100,rack in (r01,r02)").when()
                .get("/ui/fleet").then().statusCode(200).extract().asString();
        assertThat(h100).contains("aria-label=\"pool h100\"").doesNotContain("aria-label=\"pool a100\"").contains("8 node(s)")
                .contains("data-node=\"gpu-h100-01\"").doesNotContain("data-node=\"gpu-h100-09\"");
        String bad = given().cookie(DashboardSessions.COOKIE, session).queryParam("selector", "pool in (h100").when().get("/ui/fleet")
                .then().statusCode(200).extract().asString();
        assertThat(bad).contains("class=\"error\"").contains("selector &quot;pool in (h100&quot; at character");
    }

    @Test
    void thePlansShowTheirStateAndANodeItsPage() {
        assertThat(page("/ui/plans")).contains("href=\"/ui/plans/h100-driver-570\"").contains("✓ valid");
        assertThat(page("/ui/fleet/gpu-l40s-05")).contains("<h1>gpu-l40s-05").contains("nvidia-driver 570.133.20");
        String checked = given().cookie(DashboardSessions.COOKIE, session).header("HX-Request", "true")
                .contentType("application/x-www-form-urlencoded").formParam("file", "edit.yaml")
                .formParam("text", "apiVersion: waveline/v1\nkind: RolloutPlan\nmetadata:\n  name: x\nspec:\n  target:\n    selector: \"pool=h100\"\n"
                        + "    components:\n      nvidia-driver: \"570.133.20\"\n  waves:\n    - name: all\n      size: rest\n      soak: soon\n")
                .when().post("/ui/plans/check").then().statusCode(422).extract().asString();
        assertThat(checked).contains("data-line=\"13\"").contains("spec.waves[0].soak");
    }
}
