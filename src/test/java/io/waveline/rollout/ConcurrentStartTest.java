package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Twenty starts of one plan at the same moment: one rollout, and nothing surfaces as a 500. With one
 * Idempotency-Key every answer names that rollout; without one the others are 409 naming it.
 */
@QuarkusTest
class ConcurrentStartTest {

    static String plan(String name, String node) {
        return """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: %s
                spec:
                  target:
                    nodes: [%s]
                    components:
                      nvidia-driver: "570.124.90"
                      nvidia-fabricmanager: "570.124.90"
                  waves:
                    - name: all
                      size: rest
                      approval: required
                """.formatted(name, node);
    }

    static List<Response> startAtOnce(int count, String yaml, String idempotencyKey) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(count);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Response>> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Callable<Response> start = () -> {
                go.await();
                var request = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", yaml));
                if (idempotencyKey != null) {
                    request.header("Idempotency-Key", idempotencyKey);
                }
                return request.when().post("/api/v1/rollouts").then().extract().response();
            };
            answers.add(pool.submit(start));
        }
        go.countDown();
        List<Response> responses = new ArrayList<>();
        for (Future<Response> answer : answers) {
            responses.add(answer.get());
        }
        pool.shutdown();
        return responses;
    }

    @Test
    void theSameIdempotencyKeyAnswersTheSameRollout() throws Exception {
        List<Response> responses = startAtOnce(20, plan("concurrent-key", "gpu-h100-09"), "key-" + System.nanoTime());
        assertThat(responses).extracting(Response::statusCode).containsOnly(201, 200).containsOnlyOnce(201);
        assertThat(responses).extracting(r -> r.jsonPath().getLong("id")).containsOnly(responses.get(0).jsonPath().getLong("id"));
        abort(responses.get(0).jsonPath().getLong("id"));
    }

    @Test
    void overlappingStartsAreRefusedNamingTheRunningRollout() throws Exception {
        List<Response> responses = startAtOnce(20, plan("concurrent-overlap", "gpu-h100-10"), null);
        assertThat(responses).extracting(Response::statusCode).containsOnly(201, 409).containsOnlyOnce(201);
        long id = responses.stream().filter(r -> r.statusCode() == 201).findFirst().orElseThrow().jsonPath().getLong("id");
        assertThat(responses).filteredOn(r -> r.statusCode() == 409).extracting(r -> r.jsonPath().getString("detail"))
                .allSatisfy(detail -> assertThat(detail).contains("gpu-h100-10 (rollout " + id + ")"));
        abort(id);
    }

    static void abort(long id) {
        given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort").then().statusCode(200);
    }
}
