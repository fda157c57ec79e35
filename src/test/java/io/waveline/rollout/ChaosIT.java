package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Chaos: one rollout of a 60-node simulated fleet whose SSH drops connections after every reboot, with the packaged
 * service (and its embedded PostgreSQL) killed with {@code -9} at ten random moments and started again each time.
 * The moments are random points of the rollout's progress (its event count), drawn from a seed that is printed
 * ({@code -Dwaveline.chaos.seed=<n>} repeats a run). A follower reads the events with {@code ?after=} across the
 * kills, as the SSE stream and the notifier do.
 */
class ChaosIT {

    static final int NODES = 60;
    static final int KILLS = 10;
    static final long POLL = Duration.ofMillis(100).toNanos();

    @TempDir
    Path dir;

    @Test
    void aRolloutKilledTenTimesAtRandomMomentsFinishesWithEveryActionOnceAndRecorded() throws Exception {
        long seed = Long.getLong("waveline.chaos.seed", System.nanoTime());
        System.out.println("ChaosIT seed " + seed + " (-Dwaveline.chaos.seed=" + seed + " repeats it)");
        Random random = new Random(seed);
        Path fleet = PackagedService.fleetFile(dir, List.of("chaos"), NODES, List.of("570.133.20:flaky-ssh"));
        Path data = dir.resolve("data");
        PackagedService service = new PackagedService("chaos", dir.resolve("logs"), "chaos-token", Map.of(
                "waveline.data-dir", data.toString(), "waveline.sim.fleet", fleet.toString(),
                "waveline.engine.poll-interval", "0.2s", "waveline.engine.retry-base", "0.2s", "waveline.engine.replica-id", "chaos"));
        // Kill points: distinct event counts spread over what a 60-node rollout records (about 8 events per node).
        TreeSet<Integer> points = new TreeSet<>();
        while (points.size() < KILLS) {
            points.add(10 + random.nextInt(NODES * 6));
        }
        System.out.println("ChaosIT kills after these many events: " + points);

        List<Long> followed = new CopyOnWriteArrayList<>();
        AtomicBoolean following = new AtomicBoolean(true);
        long id;
        try {
            service.start();
            id = service.startRollout(PackagedService.plan("chaos", "chaos", 8));
            Thread follower = new Thread(() -> follow(service, id, followed, following), "event-follower");
            follower.start();
            int kills = 0;
            for (int point : points) {
                boolean reached = false;
                try {
                    await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(50)).ignoreExceptions().until(() -> followed.size() >= point
                            || service.state(id).equals("SUCCEEDED"));
                    reached = followed.size() >= point;
                } finally {
                    if (reached) {
                        service.kill();
                        kills++;
                        service.start();
                    }
                }
                if (!reached) {
                    break;
                }
            }
            System.out.println("ChaosIT killed the service " + kills + " times");
            assertThat(kills).as("kills during the rollout").isEqualTo(KILLS);
            await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofMillis(500)).until(() -> service.state(id).equals("SUCCEEDED"));
            List<JsonNode> events = service.events(id);
            await().atMost(Duration.ofSeconds(30)).until(() -> followed.size() >= events.size());
            following.set(false);
            follower.join();

            JsonNode rollout = service.get("/api/v1/rollouts/" + id + "?nodes=true");
            assertThat(rollout.get("nodesByState").get("SUCCEEDED").asInt()).as("every node succeeded, none left out of service")
                    .isEqualTo(NODES);

            List<Long> all = events.stream().map(e -> e.get("id").asLong()).toList();
            assertThat(followed).as("the follower saw every event exactly once, in the order it reads them").isEqualTo(all);

            Map<String, Map<String, Integer>> perNode = new HashMap<>();
            for (JsonNode event : events) {
                if (event.hasNonNull("node")) {
                    perNode.computeIfAbsent(event.get("node").asText(), n -> new HashMap<>()).merge(event.get("kind").asText(), 1,
                            Integer::sum);
                }
            }
            Path sim = data.resolve("sim");
            for (String node : IntStream.rangeClosed(1, NODES).mapToObj(i -> String.format("gpu-chaos-%02d", i)).toList()) {
                JsonNode host = PackagedService.simHost(sim, node);
                Map<String, Integer> kinds = perNode.getOrDefault(node, Map.of());
                assertThat(host.get("installs").asInt()).as(node + ": the upgrade started on the host once").isEqualTo(1);
                assertThat(host.get("packages").get("nvidia-driver").asText()).isEqualTo("570.133.20");
                assertThat(kinds.getOrDefault("node.started", 0)).as(node + " started once").isEqualTo(1);
                assertThat(kinds.getOrDefault("node.install-started", 0)).as(node + ": the install on the host has its event")
                        .isGreaterThanOrEqualTo(host.get("installs").asInt());
                assertThat(kinds.getOrDefault("node.reboot-requested", 0)).as(node + ": every reboot of the host has its event")
                        .isGreaterThanOrEqualTo(host.get("reboots").asInt());
                assertThat(host.get("reboots").asInt()).as(node + " rebooted").isPositive();
            }
        } finally {
            following.set(false);
            service.stop();
        }
    }

    /** Follows the events with {@code ?after=<last id seen>}, through the service's deaths, until told to stop. */
    private static void follow(PackagedService service, long id, List<Long> seen, AtomicBoolean following) {
        long last = 0;
        while (following.get()) {
            try {
                List<Long> batch = new ArrayList<>();
                service.get("/api/v1/rollouts/" + id + "/events?after=" + last).forEach(e -> batch.add(e.get("id").asLong()));
                for (long eventId : batch) {
                    seen.add(eventId); // a repeat stays in the list: the assertion compares it with the log
                    last = eventId;
                }
                if (batch.isEmpty()) {
                    LockSupport.parkNanos(POLL); // a follower's poll interval, as the SSE stream's
                }
            } catch (Exception e) {
                LockSupport.parkNanos(POLL); // the service is down (killed): ask again
            }
        }
    }
}
