package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.waveline.database.EmbeddedPostgresServer;

/**
 * Two replicas, as two real processes (the packaged jar twice) on one PostgreSQL and one simulated fleet: each
 * rollout is driven by exactly one replica at a time; a replica killed with {@code -9} has its rollouts finished by
 * the other after the lease expires; one stopped gracefully hands its rollouts over at the other's next tick; one
 * whose clock is ten minutes ahead (libfaketime) drives nothing another replica holds. Which replica wrote an event
 * is recorded with it ({@code replica}, the database session's application_name), so driving is observable.
 */
class ReplicasIT {

    static final String FAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    static final Duration LEASE_TTL = Duration.ofSeconds(20);
    static final int PER_POOL = 8;

    @TempDir
    Path dir;

    private Path fleet;
    private Path simState;
    private EmbeddedPostgresServer database;

    @Test
    void tworeplicasDriveEachRolloutOnceThroughKillsStopsAndASkewedClock() throws Exception {
        boolean faketime = Files.exists(Path.of(FAKETIME));
        if (!faketime) {
            assertThat(System.getenv("WAVELINE_REQUIRE_FAKETIME")).as("libfaketime (Debian package faketime) is required here:"
                    + " .ci/run installs it").isNotEqualTo("1");
            System.out.println("ReplicasIT: no libfaketime (Debian package faketime): the skewed-clock phase is left out");
        }
        fleet = PackagedService.fleetFile(dir, List.of("p1", "p2", "p3", "p4"), PER_POOL, List.of());
        simState = dir.resolve("sim");
        database = EmbeddedPostgresServer.start(dir.resolve("db"), 0, true);
        List<PackagedService> replicas = new ArrayList<>();
        try {
            PackagedService a = replica("replica-a");
            PackagedService b = replica("replica-b");
            replicas.addAll(List.of(a, b));
            a.start();
            b.start();

            // Both running: two rollouts, each driven by one replica only.
            long r1 = a.startRollout(PackagedService.plan("r1", "p1", 2));
            long r2 = b.startRollout(PackagedService.plan("r2", "p2", 2));
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> midway(a, r1) && midway(a, r2));
            String driverOfR1 = onlyDriver(a, r1);
            onlyDriver(a, r2);

            // kill -9 the replica driving r1: the other finishes it once the lease expires.
            PackagedService killed = driverOfR1.equals("replica-a") ? a : b;
            PackagedService survivor = killed == a ? b : a;
            killed.kill();
            await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() -> survivor.state(r1).equals("SUCCEEDED")
                    && survivor.state(r2).equals("SUCCEEDED"));
            assertThat(drivers(survivor, r1)).as("r1: the killed replica, then the survivor, never interleaved")
                    .containsExactly(killed.name, survivor.name);
            everyNodeUpgradedOnce(survivor, r1, "p1");
            everyNodeUpgradedOnce(survivor, r2, "p2");

            // A graceful stop hands the rollout over at the other's next tick, long before the lease would expire.
            killed.start();
            long r3 = survivor.startRollout(PackagedService.plan("r3", "p3", 2));
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> midway(survivor, r3));
            String driverOfR3 = onlyDriver(survivor, r3);
            PackagedService stopping = driverOfR3.equals(killed.name) ? killed : survivor;
            PackagedService taking = stopping == killed ? survivor : killed;
            stopping.stop();
            await().atMost(LEASE_TTL.dividedBy(2)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> drivers(taking, r3).size() == 2);
            await().atMost(Duration.ofMinutes(2)).ignoreExceptions().until(() -> taking.state(r3).equals("SUCCEEDED"));
            assertThat(drivers(taking, r3)).containsExactly(stopping.name, taking.name);
            everyNodeUpgradedOnce(taking, r3, "p3");

            if (!faketime) {
                return;
            }
            // A replica whose clock is ten minutes ahead judges no lease by it: r4 keeps one driver.
            PackagedService skewed = replica("replica-skewed").environment("LD_PRELOAD", FAKETIME).environment("FAKETIME", "+10m")
                    .environment("FAKETIME_DONT_FAKE_MONOTONIC", "1");
            replicas.add(skewed);
            long r4 = taking.startRollout(PackagedService.plan("r4", "p4", 1));
            await().atMost(Duration.ofMinutes(1)).ignoreExceptions().until(() -> !drivers(taking, r4).isEmpty());
            skewed.start();
            assertThat(java.time.Instant.parse(skewed.get("/api/v1/system").get("time").asText()))
                    .as("the skewed replica's clock").isAfter(java.time.Instant.now().plus(Duration.ofMinutes(9)));
            await().atMost(Duration.ofMinutes(3)).ignoreExceptions().until(() -> taking.state(r4).equals("SUCCEEDED"));
            assertThat(drivers(taking, r4)).as("r4 driven by one replica only, the skewed one beside it").hasSize(1);
            everyNodeUpgradedOnce(taking, r4, "p4");
        } finally {
            for (PackagedService replica : replicas) {
                replica.stop();
            }
            database.close();
        }
    }

    private PackagedService replica(String id) throws Exception {
        Path data = dir.resolve(id);
        Files.createDirectories(data);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("quarkus.datasource.jdbc.url", database.jdbcUrl());
        properties.put("quarkus.datasource.username", database.username());
        properties.put("quarkus.datasource.password", "postgres");
        properties.put("waveline.data-dir", data.toString());
        properties.put("waveline.sim.fleet", fleet.toString());
        properties.put("waveline.sim.state-dir", simState.toString());
        properties.put("waveline.engine.replica-id", id);
        properties.put("waveline.engine.lease-ttl", LEASE_TTL.toSeconds() + "s");
        properties.put("waveline.engine.poll-interval", "0.2s");
        return new PackagedService(id, dir.resolve("logs"), "replicas-token", properties);
    }

    private static boolean midway(PackagedService service, long rollout) throws Exception {
        JsonNode states = service.get("/api/v1/rollouts/" + rollout + "?nodes=true").get("nodesByState");
        return states.path("SUCCEEDED").asInt() >= 2 && states.path("PENDING").asInt() > 0;
    }

    /** The replicas that wrote the rollout's engine events, in the order they took over (a repeat would show twice). */
    private static List<String> drivers(PackagedService service, long rollout) throws Exception {
        List<String> drivers = new ArrayList<>();
        for (JsonNode event : service.events(rollout)) {
            if (event.get("actor").asText().equals(RolloutStore.ENGINE)) {
                String replica = event.get("replica").asText();
                if (drivers.isEmpty() || !drivers.get(drivers.size() - 1).equals(replica)) {
                    drivers.add(replica);
                }
            }
        }
        return drivers;
    }

    private static String onlyDriver(PackagedService service, long rollout) throws Exception {
        List<String> drivers = drivers(service, rollout);
        assertThat(drivers).as("rollout " + rollout + " is driven by exactly one replica").hasSize(1);
        return drivers.get(0);
    }

    private void everyNodeUpgradedOnce(PackagedService service, long rollout, String pool) throws Exception {
        Map<String, Integer> started = new HashMap<>();
        for (JsonNode event : service.events(rollout)) {
            if (event.get("kind").asText().equals("node.started")) {
                started.merge(event.get("node").asText(), 1, Integer::sum);
            }
        }
        List<String> nodes = IntStream.rangeClosed(1, PER_POOL).mapToObj(i -> String.format("gpu-%s-%02d", pool, i)).toList();
        assertThat(started).as(pool + ": every node started once").hasSize(PER_POOL).allSatisfy((node, n) -> assertThat(n).isEqualTo(1));
        for (String node : nodes) {
            JsonNode host = PackagedService.simHost(simState, node);
            assertThat(host.get("installs").asInt()).as(node + " installed once").isEqualTo(1);
            assertThat(host.get("packages").get("nvidia-driver").asText()).isEqualTo("570.133.20");
        }
    }
}
