package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Crash safety at scale: a 2,000-node in-process rollout (zero-duration steps) of the packaged service, killed with
 * {@code -9} three times at random points of its progress (seed printed; {@code -Dwaveline.scale.seed} repeats),
 * completes with every node upgraded once and started once.
 */
class ScaleKillIT {

    static final int NODES = 2000;

    @TempDir
    Path dir;

    @Test
    void aTwoThousandNodeRolloutKilledThreeTimesUpgradesEveryNodeOnce() throws Exception {
        long seed = Long.getLong("waveline.scale.seed", System.nanoTime());
        System.out.println("ScaleKillIT seed " + seed);
        Random random = new Random(seed);
        TreeSet<Integer> points = new TreeSet<>();
        while (points.size() < 3) {
            points.add(50 + random.nextInt(NODES - 300));
        }
        System.out.println("ScaleKillIT kills after these many nodes succeeded: " + points);
        Path fleet = PackagedService.fleetFile(dir, List.of("scale"), NODES, List.of());
        Path data = dir.resolve("data");
        PackagedService service = new PackagedService("scale", dir.resolve("logs"), "scale-token", Map.of(
                "waveline.data-dir", data.toString(), "waveline.sim.fleet", fleet.toString(), "waveline.sim.transport", "in-process",
                "waveline.sim.install-duration", "0s", "waveline.sim.reboot-duration", "0s", "waveline.engine.poll-interval", "0s",
                "waveline.engine.retry-base", "0s", "waveline.engine.replica-id", "scale", "quarkus.log.level", "WARN"));
        try {
            service.start();
            long id = service.startRollout(PackagedService.plan("scale", "scale", 200));
            for (int point : points) {
                await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                        .until(() -> succeeded(service, id) >= point);
                service.kill();
                service.start();
            }
            await().atMost(Duration.ofMinutes(10)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
                    .until(() -> service.state(id).equals("SUCCEEDED"));
            assertThat(succeeded(service, id)).isEqualTo(NODES);

            Map<String, Integer> started = new HashMap<>();
            for (JsonNode event : service.events(id)) {
                if (event.get("kind").asText().equals("node.started")) {
                    started.merge(event.get("node").asText(), 1, Integer::sum);
                }
            }
            assertThat(started).hasSize(NODES).allSatisfy((node, n) -> assertThat(n).as(node + " started").isEqualTo(1));
            try (Stream<Path> hosts = Files.list(data.resolve("sim"))) {
                List<Path> files = hosts.filter(f -> f.toString().endsWith(".json")).toList();
                assertThat(files).hasSize(NODES);
                for (Path file : files) {
                    JsonNode host = PackagedService.JSON.readTree(file.toFile());
                    assertThat(host.get("installs").asInt()).as(file.getFileName() + " installs").isEqualTo(1);
                    assertThat(host.get("packages").get("nvidia-driver").asText()).isEqualTo("570.133.20");
                }
            }
        } finally {
            service.stop();
        }
    }

    private static int succeeded(PackagedService service, long id) throws Exception {
        return service.get("/api/v1/rollouts/" + id + "?nodes=false").get("nodesByState").path("SUCCEEDED").asInt();
    }
}
