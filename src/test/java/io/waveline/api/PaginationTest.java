package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * Cursor pagination: a full page names the next one in a {@code Link: <…>; rel="next"} header, following the links
 * gives every item exactly once in order, and a limit out of bounds is a 400 problem naming the bounds.
 */
@QuarkusTest
class PaginationTest {

    static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    /** Follows the next links from {@code first}; answers the values of {@code field} of every item. */
    static List<String> follow(String first, String field) {
        List<String> all = new ArrayList<>();
        String next = first;
        int pages = 0;
        while (next != null) {
            Response page = given().urlEncodingEnabled(false).when().get(next).then().statusCode(200).extract().response();
            all.addAll(page.jsonPath().getList(field).stream().map(String::valueOf).toList());
            String link = page.header("Link");
            Matcher matcher = link == null ? null : NEXT.matcher(link);
            next = matcher != null && matcher.find() ? URI.create(matcher.group(1)).getRawPath() + "?" + URI.create(matcher.group(1))
                    .getRawQuery() : null;
            assertThat(++pages).as("pages").isLessThan(100);
        }
        return all;
    }

    @Test
    void nodesComeAPageAtATimeAndTheLinksGiveEveryNodeOnce() {
        List<String> everything = given().when().get("/api/v1/nodes").then().statusCode(200).extract().jsonPath().getList("name");
        Response first = given().queryParam("limit", 5).when().get("/api/v1/nodes").then().statusCode(200).extract().response();
        assertThat(first.jsonPath().getList("name")).containsExactlyElementsOf(everything.subList(0, 5));
        assertThat(first.header("Link")).contains("after=" + everything.get(4)).contains("rel=\"next\"");

        assertThat(follow("/api/v1/nodes?limit=7", "name")).containsExactlyElementsOf(everything);
        assertThat(follow("/api/v1/nodes?limit=3&selector=pool%3Dh100", "name"))
                .containsExactlyElementsOf(everything.stream().filter(n -> n.startsWith("gpu-h100")).toList());
    }

    @Test
    void rolloutsAndEventsFollowTheirCursors() {
        for (String version : List.of("570.124.81", "570.124.82", "570.124.83")) {
            io.waveline.rollout.ConcurrentStartTestPlans.abortedRollout("pages-" + version.replace('.', '-'), "gpu-h100-14", version);
        }
        List<String> newestFirst = given().queryParam("limit", 500).when().get("/api/v1/rollouts").then().statusCode(200).extract()
                .jsonPath().getList("id").stream().map(String::valueOf).toList();
        assertThat(follow("/api/v1/rollouts?limit=2", "id")).containsExactlyElementsOf(newestFirst);
        assertThat(newestFirst).hasSizeGreaterThanOrEqualTo(3);
        {
            String id = newestFirst.get(0);
            List<String> events = given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract().jsonPath()
                    .getList("id").stream().map(String::valueOf).toList();
            assertThat(follow("/api/v1/rollouts/" + id + "/events?limit=1", "id")).containsExactlyElementsOf(events);
        }
    }

    @Test
    void aLimitOutOfBoundsIsRefusedWithTheBounds() {
        given().queryParam("limit", 0).when().get("/api/v1/nodes").then().statusCode(400)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("outside 1..5000"));
        given().queryParam("limit", 501).when().get("/api/v1/rollouts").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("outside 1..500"));
        given().queryParam("limit", 10_001).when().get("/api/v1/rollouts/1/events").then().statusCode(400);
    }
}
