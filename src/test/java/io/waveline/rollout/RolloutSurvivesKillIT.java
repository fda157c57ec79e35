package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The 3 a.m. promise, on the packaged service: start a rollout, {@code kill -9} the service in the middle of it,
 * start it again on the same data directory, and the rollout completes with every node on the target, none
 * upgraded twice, none left cordoned, and every event from before the kill still there.
 */
class RolloutSurvivesKillIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static final String PLAN = """
            apiVersion: waveline/v1
            kind: RolloutPlan
            metadata:
              name: kill-test
            spec:
              target:
                selector: "pool=h100"
                components:
                  nvidia-driver: "570.133.20"
                  nvidia-fabricmanager: "570.133.20"
              waves:
                - name: canary
                  size: 1
                - name: rest
                  size: rest
              limits:
                maxUnavailable: 4
            """;

    static final String TOKEN = "kill-test-token";

    @TempDir
    Path dataDir;

    int port;

    @Test
    void rolloutCompletesAfterTheServiceIsKilledMidway() throws Exception {
        port = freePort();
        Process first = launch();
        long id;
        List<String> eventsBeforeKill;
        try {
            awaitUp();
            JsonNode started = post("/api/v1/rollouts", JSON.writeValueAsString(Map.of("planYaml", PLAN)));
            id = started.get("id").asLong();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode states = get("/api/v1/rollouts/" + id).get("nodesByState");
                return states.path("SUCCEEDED").asInt() >= 3 && states.path("PENDING").asInt() > 0;
            });
            eventsBeforeKill = kinds(id);
        } finally {
            first.destroyForcibly().waitFor();
        }

        Process second = launch();
        try {
            awaitUp();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                    .until(() -> get("/api/v1/rollouts/" + id).get("state").asText().equals("SUCCEEDED"));
            JsonNode rollout = get("/api/v1/rollouts/" + id);
            assertThat(rollout.get("nodesByState").get("SUCCEEDED").asInt()).isEqualTo(16);
            List<String> events = kinds(id);
            assertThat(events.subList(0, eventsBeforeKill.size())).isEqualTo(eventsBeforeKill);
            Map<String, Integer> startsPerNode = new HashMap<>();
            for (JsonNode event : get("/api/v1/rollouts/" + id + "/events")) {
                if (event.get("kind").asText().equals("node.started")) {
                    startsPerNode.merge(event.get("node").asText(), 1, Integer::sum);
                }
            }
            assertThat(startsPerNode).hasSize(16).allSatisfy((node, starts) -> assertThat(starts).as(node).isEqualTo(1));
        } finally {
            second.destroy();
            second.waitFor();
        }
        for (int i = 1; i <= 16; i++) {
            JsonNode host = JSON.readTree(dataDir.resolve("sim").resolve(String.format("gpu-h100-%02d.json", i)).toFile());
            assertThat(host.get("installs").asInt()).as("gpu-h100-%02d installs", i).isEqualTo(1);
            assertThat(host.get("packages").get("nvidia-driver").asText()).isEqualTo("570.133.20");
        }
    }

    private Process launch() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Dquarkus.profile=demo",
                "-Dquarkus.http.port=" + port, "-Dwaveline.data-dir=" + dataDir,
                "-Dwaveline.sim.install-duration=1s", "-Dwaveline.sim.reboot-duration=1s",
                "-Dwaveline.engine.poll-interval=0.2s", "-Dwaveline.engine.replica-id=kill-test",
                "-Dwaveline.demo-token=" + TOKEN,
                "-jar", System.getProperty("waveline.it.jar", "target/quarkus-app/quarkus-run.jar")));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dataDir.resolve("service-" + System.nanoTime() + ".log").toFile()).start();
    }

    private void awaitUp() {
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(300)).ignoreExceptions()
                .until(() -> get("/q/health/ready").get("status").asText().equals("UP"));
    }

    private List<String> kinds(long id) throws Exception {
        List<String> kinds = new ArrayList<>();
        get("/api/v1/rollouts/" + id + "/events").forEach(e -> kinds.add(e.get("kind").asText() + " " + e.path("node").asText()));
        return kinds;
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + TOKEN).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    private JsonNode post(String path, String body) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return JSON.readTree(response.body());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
