package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The 3 a.m. promise, on the packaged service: start a rollout, {@code kill -9} the service in the middle of it,
 * start it again on the same data directory, and the rollout completes with every node on the target, none
 * upgraded twice, none left cordoned, and every event from before the kill still there.
 */
class RolloutSurvivesKillIT {

    @TempDir
    Path dataDir;

    @Test
    void rolloutCompletesAfterTheServiceIsKilledMidway() throws Exception {
        PackagedService service = new PackagedService("kill-test", dataDir, "kill-test-token", Map.of(
                "waveline.data-dir", dataDir.toString(), "waveline.sim.install-duration", "1s", "waveline.sim.reboot-duration", "1s",
                "waveline.engine.poll-interval", "0.2s", "waveline.engine.replica-id", "kill-test"));
        long id;
        List<String> eventsBeforeKill;
        try {
            service.start();
            id = service.startRollout(PackagedService.plan("kill-test", "h100", 4));
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> {
                JsonNode states = service.get("/api/v1/rollouts/" + id + "?nodes=true").get("nodesByState");
                return states.path("SUCCEEDED").asInt() >= 3 && states.path("PENDING").asInt() > 0;
            });
            eventsBeforeKill = kinds(service, id);
        } finally {
            service.kill();
        }

        try {
            service.start();
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).until(() -> service.state(id).equals("SUCCEEDED"));
            JsonNode rollout = service.get("/api/v1/rollouts/" + id + "?nodes=true");
            assertThat(rollout.get("nodesByState").get("SUCCEEDED").asInt()).isEqualTo(16);
            List<String> events = kinds(service, id);
            assertThat(events.subList(0, eventsBeforeKill.size())).isEqualTo(eventsBeforeKill);
            Map<String, Integer> startsPerNode = new HashMap<>();
            for (JsonNode event : service.events(id)) {
                if (event.get("kind").asText().equals("node.started")) {
                    startsPerNode.merge(event.get("node").asText(), 1, Integer::sum);
                }
            }
            assertThat(startsPerNode).hasSize(16).allSatisfy((node, starts) -> assertThat(starts).as(node).isEqualTo(1));
        } finally {
            service.stop();
        }
        // A graceful stop stops the embedded database last: the engine's stop finds it still there.
        assertThat(service.log().lines().filter(line -> line.contains("(Shutdown thread)"))
                .filter(line -> line.contains(" WARN ") || line.contains(" ERROR ")))
                .as("warnings and errors of the stop").isEmpty();
        assertThat(service.log()).contains("stopped in");
        for (int i = 1; i <= 16; i++) {
            JsonNode host = PackagedService.simHost(dataDir.resolve("sim"), String.format("gpu-h100-%02d", i));
            assertThat(host.get("installs").asInt()).as("gpu-h100-%02d installs", i).isEqualTo(1);
            assertThat(host.get("packages").get("nvidia-driver").asText()).isEqualTo("570.133.20");
        }
    }

    private static List<String> kinds(PackagedService service, long id) throws Exception {
        return service.events(id).stream().map(e -> e.get("kind").asText() + " " + e.path("node").asText()).toList();
    }
}
