package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.waveline.sim.SimSshEndpoints;
import io.waveline.ssh.SshjTransport;
import io.waveline.sim.SimFleet;
import io.waveline.sim.SimSshServers;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.RemoteShell;
import jakarta.inject.Inject;

/**
 * Whole rollouts on the simulated fleet (fault rules of the test profile in application.properties), driven
 * through the REST API as a user would, with the real engine, the embedded PostgreSQL and the in-process hosts.
 */
@QuarkusTest
class RolloutScenariosTest {

    static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    SimFleet sim;

    @Inject
    SimSshEndpoints shells;

    @Inject
    SshjTransport transport;

    @Inject
    jakarta.persistence.EntityManager em;

    /** Injected so the SSH transport (and the simulated SSH servers) exist before any test looks at them. */
    @Inject
    RemoteShell shell;

    static String plan(String name, String target, String version, boolean fabricManager, String waves, String policy) {
        return """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: %s
                spec:
                  target:
                %s
                    components:
                      nvidia-driver: "%s"
                %s  waves:
                %s
                  limits:
                    maxUnavailable: 3
                    failureDomains:
                      - labelKey: rack
                        maxUnavailable: 2
                  failurePolicy:
                %s
                """.formatted(name, target.indent(4).stripTrailing(), version,
                fabricManager ? "      nvidia-fabricmanager: \"" + version + "\"\n" : "", waves.indent(4).stripTrailing(),
                policy.indent(4).stripTrailing());
    }

    static final String CANARY_THEN_REST = """
            - name: canary
              size: 1
            - name: rest
              size: rest
            """;

    static long start(String planYaml) {
        return given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice")
                .body(Map.of("planYaml", planYaml)).when().post("/api/v1/rollouts")
                .then().log().ifValidationFails().statusCode(201).extract().jsonPath().getLong("id");
    }

    static JsonPath awaitState(long id, String... states) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(
                () -> List.of(states).contains(rollout(id).getString("state")));
        return rollout(id);
    }

    static JsonPath rollout(long id) {
        return given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().statusCode(200).extract().jsonPath();
    }

    static List<String> eventKinds(long id) {
        return given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract().jsonPath()
                .getList("kind");
    }

    Map<String, Map<String, String>> versions(List<String> nodes) {
        Map<String, Map<String, String>> versions = new HashMap<>();
        nodes.forEach(n -> versions.put(n, sim.host(n).installedVersions()));
        return versions;
    }

    Map<String, Integer> installs(List<String> nodes) {
        Map<String, Integer> installs = new HashMap<>();
        nodes.forEach(n -> installs.put(n, sim.host(n).installs()));
        return installs;
    }

    static List<String> h100() {
        return java.util.stream.IntStream.rangeClosed(1, 16).mapToObj(i -> String.format("gpu-h100-%02d", i)).toList();
    }

    @Test
    void goodDriverRollsThroughEveryWaveAndManualRollbackReturnsIt() {
        List<String> nodes = h100();
        Map<String, Map<String, String>> before = versions(nodes);
        Map<String, Integer> installsBefore = installs(nodes);

        long id = start(plan("good", "selector: \"pool=h100\"", "570.133.20", true, CANARY_THEN_REST, "onFailure: rollback-wave"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(done.getMap("nodesByState")).containsEntry("SUCCEEDED", 16);
        assertThat(done.getList("waves[0].nodes.name")).containsExactly("gpu-h100-01");
        assertThat(done.getList("waves[0].nodes[0].checks.status")).containsOnly("PASS");
        assertThat(done.getList("waves[0].nodes[0].checks.name")).as("basic checks, then the XID scan after the wave"
                + " (the canary soaks 0s: no second scan)").containsExactly("nvidia-smi", "driver-version", "gpu-inventory", "wave-xid");
        for (String node : nodes) {
            assertThat(sim.host(node).installedVersions()).containsEntry("nvidia-driver", "570.133.20")
                    .containsEntry("nvidia-fabricmanager", "570.133.20");
            assertThat(sim.host(node).installs() - installsBefore.get(node)).as(node + " upgraded once").isEqualTo(1);
        }
        assertThat(eventKinds(id)).startsWith("rollout.started").contains("node.validated", "wave.soaking")
                .endsWith("rollout.succeeded");
        given().when().get("/api/v1/nodes/gpu-h100-09").then().body("versions.nvidia-driver", equalTo("570.133.20"));
        given().when().get("/api/v1/rollouts").then().statusCode(200)
                .body("find { it.id == " + id + " }.state", equalTo("SUCCEEDED"))
                .body("find { it.id == " + id + " }.nodesByState.SUCCEEDED", equalTo(16));

        given().header("X-Waveline-Actor", "bob").when().post("/api/v1/rollouts/" + id + "/rollback").then()
                .statusCode(200).body("state", equalTo("ROLLING_BACK"));
        assertThat(awaitState(id, "ROLLED_BACK").getMap("nodesByState")).containsEntry("ROLLED_BACK", 16);
        for (String node : nodes) {
            assertThat(sim.host(node).installedVersions()).isEqualTo(before.get(node));
        }
        List<Map<String, Object>> events = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract()
                .jsonPath().getList("$");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("kind")).isEqualTo("rollout.rollback-requested");
            assertThat(e.get("actor")).isEqualTo("bob");
        });
    }

    @Test
    void badDriverFailsTheCanaryAndOnlyTheCanaryIsTouchedAndRolledBack() {
        List<String> nodes = java.util.stream.IntStream.rangeClosed(1, 8).mapToObj(i -> "gpu-a100-0" + i).toList();
        Map<String, Map<String, String>> before = versions(nodes);
        Map<String, Integer> installsBefore = installs(nodes);

        long id = start(plan("bad", "selector: \"pool=a100\"", "575.51.02", true, CANARY_THEN_REST, "onFailure: rollback-wave"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("haltReason")).contains("1 node(s) of wave canary failed (gpu-a100-01)");
        assertThat(done.getString("waves[0].nodes[0].state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes[0].failureClass")).isEqualTo("DRIVER");
        assertThat(done.getString("waves[0].nodes[0].lastError")).isEqualTo("gpu-inventory: GPU 7 (00000000:DB:00.0) missing: 7 of 8 GPUs after the upgrade");
        assertThat(done.getList("waves[1].nodes.state")).containsOnly("SKIPPED");
        for (String node : nodes) {
            assertThat(sim.host(node).installedVersions()).as(node).isEqualTo(before.get(node));
        }
        assertThat(sim.host("gpu-a100-01").installs() - installsBefore.get("gpu-a100-01")).isEqualTo(2);
        nodes.stream().filter(n -> !n.equals("gpu-a100-01")).forEach(n ->
                assertThat(sim.host(n).installs()).as(n + " untouched").isEqualTo(installsBefore.get(n)));
        assertThat(eventKinds(id)).containsSubsequence("node.failed", "rollout.halted", "rollout.rolling-back", "node.rolled-back",
                "rollout.rolled-back").endsWith("rollout.rolled-back");
        assertThat(eventKinds(id).indexOf("rollout.rolling-back")).as("the rollout shows ROLLING_BACK while its canary goes back")
                .isLessThan(eventKinds(id).indexOf("node.rolled-back"));
    }

    @Test
    void failuresWithinTheBudgetRollBackOnlyTheFailedNode() {
        String target = "selector: \"pool=l40s\"\nexclude:\n  nodes: [gpu-l40s-01]";
        long id = start(plan("budget", target, "570.86.15", false, "- name: all\n  size: rest",
                "maxFailuresPerWave: 1\nonFailure: rollback-wave"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        Map<String, String> states = new HashMap<>();
        List<String> names = done.getList("waves[0].nodes.name");
        List<String> nodeStates = done.getList("waves[0].nodes.state");
        for (int i = 0; i < names.size(); i++) {
            states.put(names.get(i), nodeStates.get(i));
        }
        assertThat(states).containsEntry("gpu-l40s-02", "ROLLED_BACK");
        assertThat(states.values()).filteredOn("SUCCEEDED"::equals).hasSize(names.size() - 1);
        assertThat(sim.host("gpu-l40s-04").installedVersions()).containsEntry("nvidia-driver", "570.86.15");
        assertThat(sim.host("gpu-l40s-02").installedVersions()).doesNotContainEntry("nvidia-driver", "570.86.15");
    }

    @Test
    void overTheBudgetWithRollbackFailedOnlyTheFailedNodeGoesBack() {
        long id = start(plan("no-budget", "nodes: [gpu-l40s-02, gpu-l40s-04]", "570.86.15", false,
                "- name: all\n  size: rest", "maxFailuresPerWave: 0\nonFailure: rollback-failed"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("FAILED");
        assertThat(done.getString("haltReason")).contains("gpu-l40s-02").contains("policy rollback-failed");
    }

    @Test
    void hardwareFaultQuarantinesTheNodeWithoutStoppingTheRollout() {
        long id = start(plan("quarantine", "nodes: [gpu-l40s-01, gpu-l40s-06]", "570.86.10", false,
                "- name: all\n  size: rest", "maxFailuresPerWave: 0"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(done.getString("waves[0].nodes.find { it.name == 'gpu-l40s-01' }.state")).isEqualTo("QUARANTINED");
        assertThat(done.getString("waves[0].nodes.find { it.name == 'gpu-l40s-01' }.failureClass")).isEqualTo("HARDWARE");
        assertThat(done.getString("waves[0].nodes.find { it.name == 'gpu-l40s-06' }.state")).isEqualTo("SUCCEEDED");
        assertThat(eventKinds(id)).contains("node.quarantined");
        // The summary shows the engine's own changes (here the end) within one read of it: polled, as a dashboard does.
        JsonPath summary = await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).until(() -> given().queryParam("nodes", false)
                .when().get("/api/v1/rollouts/" + id).then().statusCode(200).extract().jsonPath(), s -> "SUCCEEDED".equals(s.getString("state")));
        assertThat(summary.getList("failures.name")).as("the summary names the failures without listing every node")
                .containsExactly("gpu-l40s-01");
        assertThat(summary.getString("failures[0].failureClass")).isEqualTo("HARDWARE");
        assertThat(summary.getString("failures[0].lastError")).isNotBlank();
        assertThat(summary.getInt("limits.poolNodes")).isEqualTo(2);
        assertThat(summary.getString("limits.maxFailuresPerWave")).isEqualTo("0");
    }

    @Test
    void aRebootWhoseAnswerIsLostIsTakenAsUnderWayNotRetriedOrAskedAgain() {
        int reboots = sim.host("gpu-h100-14").reboots();
        long id = start(plan("reboot-drops", "nodes: [gpu-h100-14]", "570.86.36", true, "- name: all\n  size: rest", "onFailure: halt"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(done.getInt("waves[0].nodes[0].attempts")).isZero();
        List<String> kinds = eventKinds(id);
        assertThat(kinds).contains("node.reboot-answer-lost").doesNotContain("node.retry");
        assertThat(kinds.subList(kinds.indexOf("node.reboot-answer-lost"), kinds.size())).as("after the lost answer")
                .contains("node.rebooted").doesNotContain("node.reboot-requested");
        assertThat(sim.host("gpu-h100-14").reboots() - reboots).as("reboots asked").isEqualTo(1);
        assertThat(sim.host("gpu-h100-14").installedVersions()).containsEntry("nvidia-driver", "570.86.36");
    }

    /**
     * The install starts in the step that takes the first look (bare metal: nothing to drain); when its start's answer is
     * lost, the node goes back to the run that step decided on, with its baseline and its previous versions, and its next
     * attempt finds the job on the host: no second first look (which would read the new packages as the node's old
     * versions, its rollback target), no second install.
     */
    @Test
    void anInstallStartWhoseAnswerIsLostIsFoundOnTheHostAndTheFirstLookIsNotTakenAgain() {
        String node = "gpu-h100-16";
        Map<String, String> before = Map.copyOf(sim.host(node).installedVersions());
        int installs = sim.host(node).installs();
        long id = start(plan("install-drops", "nodes: [" + node + "]", "570.86.38", true, "- name: all\n  size: rest", "onFailure: halt"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        List<String> kinds = eventKinds(id);
        assertThat(kinds).contains("node.retry").doesNotContain("node.versions-corrected");
        assertThat(kinds.stream().filter("node.cordoned"::equals)).as("first looks").hasSize(1);
        assertThat(kinds.stream().filter("node.install-started"::equals)).hasSize(1);
        assertThat(sim.host(node).installs() - installs).as("installs on the host").isEqualTo(1);
        assertThat(done.getMap("waves[0].nodes[0].previousVersions")).as("the rollback target")
                .containsEntry("nvidia-driver", before.get("nvidia-driver"));
        assertThat(sim.host(node).installedVersions()).containsEntry("nvidia-driver", "570.86.38");
    }

    @Test
    void sshDropsAreRetriedAndTheNodeStillSucceeds() {
        long id = start(plan("flaky", "nodes: [gpu-a100-02]", "570.124.06", true, "- name: all\n  size: rest", "onFailure: halt"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(eventKinds(id)).contains("node.retry");
        assertThat(sim.host("gpu-a100-02").installedVersions()).containsEntry("nvidia-driver", "570.124.06");
    }

    @Test
    void approvalGatePauseResumeAndApprove() {
        String waves = """
                - name: canary
                  size: 1
                - name: rest
                  size: rest
                  approval: required
                """;
        long id = start(plan("gated", "nodes: [gpu-h100-13, gpu-h100-14, gpu-h100-15]", "570.124.06", true, waves,
                "onFailure: rollback-wave"));
        JsonPath waiting = awaitState(id, "WAITING_APPROVAL");
        assertThat(waiting.getInt("currentWave")).isEqualTo(1);
        assertThat(waiting.getList("waves[1].nodes.state")).containsOnly("PENDING");

        given().when().post("/api/v1/rollouts/" + id + "/pause").then().statusCode(200).body("state", equalTo("PAUSED"));
        given().when().post("/api/v1/rollouts/" + id + "/approve").then().statusCode(409)
                .contentType("application/problem+json").body("detail", containsString("it is PAUSED"));
        given().when().post("/api/v1/rollouts/" + id + "/resume").then().statusCode(200)
                .body("state", equalTo("WAITING_APPROVAL"));
        given().header("X-Waveline-Actor", "carol").when().post("/api/v1/rollouts/" + id + "/approve").then()
                .statusCode(200);
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(done.getList("waves.name")).containsExactly("canary", "rest");
        assertThat(done.getList("waves.phase")).containsOnly("DONE");
        assertThat(done.getString("waves[1].approvedBy")).isEqualTo("carol");
        assertThat(done.getString("waves[0].soakStartedAt")).isNotNull();
        assertThat(eventKinds(id)).containsSubsequence("wave.awaiting-approval", "rollout.paused", "rollout.resumed",
                "wave.approved", "rollout.succeeded");
    }

    @Test
    void idempotentStartOverlapAndAbort() {
        String waves = "- name: gate\n  size: rest\n  approval: required";
        String yaml = plan("held", "nodes: [gpu-a100-03]", "570.124.06", true, waves, "onFailure: halt");
        long first = given().contentType(ContentType.JSON).header("Idempotency-Key", "deploy-42")
                .body(Map.of("planYaml", yaml)).when().post("/api/v1/rollouts").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        given().contentType(ContentType.JSON).header("Idempotency-Key", "deploy-42").body(Map.of("planYaml", yaml))
                .when().post("/api/v1/rollouts").then().statusCode(200).body("id", equalTo((int) first));
        given().contentType(ContentType.JSON).body(Map.of("planYaml", yaml)).when().post("/api/v1/rollouts").then()
                .statusCode(409).contentType("application/problem+json")
                .body("detail", containsString("gpu-a100-03 (rollout " + first + ")"));

        given().when().post("/api/v1/rollouts/" + first + "/abort").then().statusCode(200);
        JsonPath aborted = awaitState(first, "ABORTED");
        assertThat(aborted.getList("waves[0].nodes.state")).containsOnly("SKIPPED");
        long again = start(yaml.replace("approval: required", "approval: none"));
        assertThat(awaitState(again, "SUCCEEDED", "FAILED", "ROLLED_BACK").getString("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void changedHostKeyIsRefusedAndNothingRunsThere() {
        SimSshServers servers = shells.servers().orElseThrow();
        servers.replaceHostKey("gpu-mi300x-01");
        transport.client().orElseThrow().drop(new NodeAddress("gpu-mi300x-01", "127.0.0.1", servers.port("gpu-mi300x-01"), "waveline"));
        int installs = sim.host("gpu-mi300x-01").installs();
        long id = start(plan("impostor", "nodes: [gpu-mi300x-01]", "570.133.20", false, "- name: all\n  size: rest",
                "onFailure: rollback-wave"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes[0].state")).isEqualTo("FAILED");
        assertThat(done.getString("waves[0].nodes[0].failureClass")).isEqualTo("ACCESS");
        assertThat(done.getInt("waves[0].nodes[0].attempts")).isEqualTo(1);
        assertThat(done.getString("waves[0].nodes[0].lastError")).contains("presented a host key that is not in");
        assertThat(sim.host("gpu-mi300x-01").installs()).isEqualTo(installs);
    }

    @Test
    void eventsStreamLiveAndTheStreamEndsWithTheRollout() throws Exception {
        long id = start(plan("streamed", "nodes: [gpu-a100-04]", "570.124.06", true, "- name: all\n  size: rest",
                "onFailure: rollback-wave"));
        java.net.http.HttpResponse<java.util.stream.Stream<String>> response = java.net.http.HttpClient.newHttpClient()
                .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                        io.restassured.RestAssured.baseURI + ":" + io.restassured.RestAssured.port + "/api/v1/rollouts/" + id + "/events"))
                        .header("Accept", "text/event-stream").timeout(PATIENCE).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/event-stream"));
        List<String> data = response.body().filter(line -> line.startsWith("data:")).toList();
        assertThat(data).first().asString().contains("\"kind\":\"rollout.started\"");
        assertThat(data).last().asString().contains("\"kind\":\"rollout.succeeded\"");
        assertThat(data).hasSameSizeAs(eventKinds(id));
    }

    @jakarta.inject.Inject
    io.waveline.api.EventFeeds feeds;

    @Test
    void manyStreamsOfOneRolloutGetEveryEventFromOneSharedRead() throws Exception {
        long id = start(plan("streamed-by-many", "nodes: [gpu-a100-06]", "570.124.71", true, "- name: all\n  size: rest",
                "onFailure: rollback-wave"));
        long pollsBefore = feeds.polls();
        long begin = System.nanoTime();
        java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
        List<java.util.concurrent.CompletableFuture<List<String>>> streams = new java.util.ArrayList<>();
        for (int i = 0; i < 8; i++) {
            streams.add(client.sendAsync(java.net.http.HttpRequest.newBuilder(java.net.URI.create(io.restassured.RestAssured.baseURI
                    + ":" + io.restassured.RestAssured.port + "/api/v1/rollouts/" + id + "/events")).header("Accept", "text/event-stream")
                    .timeout(PATIENCE).build(), java.net.http.HttpResponse.BodyHandlers.ofLines())
                    .thenApply(r -> r.body().filter(line -> line.startsWith("data:")).toList()));
        }
        List<String> first = streams.get(0).get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS);
        assertThat(first).last().asString().contains("\"kind\":\"rollout.succeeded\"");
        assertThat(first).hasSameSizeAs(eventKinds(id));
        for (java.util.concurrent.CompletableFuture<List<String>> stream : streams) {
            assertThat(stream.get(PATIENCE.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).as("every stream, the same events in order")
                    .isEqualTo(first);
        }
        long intervals = (System.nanoTime() - begin) / 500_000_000L + 1;
        assertThat(feeds.polls() - pollsBefore).as("eight streams over %d half-second intervals share one read each interval"
                + " (and may each catch up once when they join)", intervals).isLessThanOrEqualTo(intervals + 1 + streams.size());
    }

    @Test
    void anotherReplicasLiveLeaseIsRespectedAndAnExpiredOneTakenOver() {
        String waves = "- name: gate\n  size: rest\n  approval: required";
        long id = start(plan("leased", "nodes: [gpu-a100-05]", "570.124.06", true, waves, "onFailure: halt"));
        awaitState(id, "WAITING_APPROVAL");
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "insert into engine_lease (rollout_id, owner, expires_at) values (?1, 'replica-b', now() + interval '1 hour') "
                        + "on conflict (rollout_id) do update set owner = 'replica-b', expires_at = now() + interval '1 hour'")
                .setParameter(1, id).executeUpdate());
        given().when().post("/api/v1/rollouts/" + id + "/approve").then().statusCode(200);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .until(() -> rollout(id).getString("waves[0].nodes[0].state").equals("PENDING"));

        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery(
                "update engine_lease set expires_at = now() - interval '1 second' where rollout_id = ?1")
                .setParameter(1, id).executeUpdate());
        assertThat(awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK").getString("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void dnfHostsAreUpgradedWithVersionlock() {
        String yaml = plan("rhel", "nodes: [gpu-a100-06]", "570.124.06", true, "- name: all\n  size: rest", "onFailure: halt")
                .replace("  waves:", "  method:\n    type: ssh\n    packageManager: dnf\n  waves:");
        long id = start(yaml);
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath()
                .getList("message", String.class)).anySatisfy(m -> assertThat(m).contains("with dnf (job"));
        assertThat(sim.host("gpu-a100-06").installedVersions()).containsEntry("nvidia-driver", "570.124.06")
                .containsEntry("nvidia-fabricmanager", "570.124.06");
    }

    @Test
    void planChecksRunAfterTheBasicOnesAndAnXidQuarantinesWhileTheWaveCarriesOn() {
        String yaml = plan("xid", "nodes: [gpu-h100-11, gpu-h100-12]", "570.86.20", true, "- name: all\n  size: rest",
                "maxFailuresPerWave: 0\nonFailure: rollback-wave")
                .replace("  failurePolicy:", "  checks:\n    - name: nvidia-smi\n    - name: fabric-manager\n    - name: xid\n"
                        + "    - name: dcgm-diag\n      level: 2\n    - name: nvlink\n    - name: gpu-modes\n    - name: vbios\n"
                        + "    - name: ecc\n  failurePolicy:");
        long id = start(yaml);
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        String bad = "waves[0].nodes.find { it.name == 'gpu-h100-12' }";
        String good = "waves[0].nodes.find { it.name == 'gpu-h100-11' }";
        assertThat(done.getString(bad + ".state")).isEqualTo("QUARANTINED");
        assertThat(done.getString(bad + ".failureClass")).isEqualTo("HARDWARE");
        assertThat(done.getString(bad + ".lastError")).isEqualTo("xid: XID 79 on 0000:5d:00: GPU has fallen off the bus");
        assertThat(done.getString(good + ".state")).isEqualTo("SUCCEEDED");
        assertThat(done.getList(good + ".checks.name")).contains("nvidia-smi", "driver-version", "gpu-inventory",
                "fabric-manager", "xid", "dcgm-diag", "nvlink", "gpu-modes", "vbios", "ecc");
        assertThat(done.getList(good + ".checks.name", String.class)).as("listed in the plan, run once")
                .filteredOn("nvidia-smi"::equals).hasSize(1);
        assertThat(done.getString(good + ".checks.find { it.name == 'fabric-manager' }.summary"))
                .isEqualTo("Fabric Manager 570.86.20 active");
        assertThat(done.getString(good + ".checks.find { it.name == 'gpu-inventory' }.summary"))
                .isEqualTo("8 of 8 GPUs, same UUIDs and bus IDs");
        assertThat(done.getString(good + ".checks.find { it.name == 'nvlink' }.summary")).isEqualTo("all 144 NVLinks up");
        assertThat(done.getString(good + ".checks.find { it.name == 'gpu-modes' }.summary"))
                .isEqualTo("persistence mode on; MIG [Disabled] as before");
        assertThat(done.getList(good + ".baseline.gpus.busId")).hasSize(8).contains("00000000:18:00.0");
        assertThat(done.getInt(good + ".baseline.nvlinksUp.'0'")).isEqualTo(18);
    }

    @Test
    void lowNcclBandwidthFailsTheCanaryAndNothingElseIsTouched() {
        String yaml = plan("nccl", "nodes: [gpu-h100-10, gpu-h100-14]", "570.86.22", true, CANARY_THEN_REST, "onFailure: rollback-wave")
                .replace("  failurePolicy:", "  checks:\n    - name: nccl-allreduce\n      minBusBandwidthGBps: 400\n"
                        + "      waves: [canary]\n  failurePolicy:");
        Map<String, Map<String, String>> before = versions(List.of("gpu-h100-10", "gpu-h100-14"));
        long id = start(yaml);
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes[0].lastError"))
                .isEqualTo("nccl-allreduce: bus bandwidth 190.4 GB/s below the threshold 400.0 GB/s");
        assertThat(done.getDouble("waves[0].nodes[0].checks.find { it.name == 'nccl-allreduce' }.figures.busbwGBps"))
                .isEqualTo(190.42);
        Object onAPage = given().queryParam("wave", 0).when().get("/api/v1/rollouts/" + id + "/nodes").then().statusCode(200).extract()
                .jsonPath().get("[0].checks.find { it.name == 'nccl-allreduce' }.figures");
        assertThat(onAPage).as("a page of nodes shows the figures as a JSON object too").isInstanceOfSatisfying(Map.class,
                figures -> assertThat(((Number) figures.get("busbwGBps")).floatValue()).isEqualTo(190.42f));
        assertThat(done.getList("waves[1].nodes.state")).containsOnly("SKIPPED");
        assertThat(versions(List.of("gpu-h100-10", "gpu-h100-14"))).isEqualTo(before);
        assertThat(eventKinds(id)).contains("node.burn-in-waiting", "node.burn-in-started", "node.check-started");
    }

    @Test
    void driverThatBreaksNvmlGetsOneMoreRebootThenRollsBack() {
        Map<String, String> before = sim.host("gpu-h100-02").installedVersions();
        long id = start(plan("nvml", "nodes: [gpu-h100-02]", "570.86.30", true, "- name: all\n  size: rest", "onFailure: rollback-wave"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes[0].failureClass")).isEqualTo("DRIVER");
        assertThat(done.getString("waves[0].nodes[0].lastError"))
                .isEqualTo("nvidia-smi: nvidia-smi failed: Failed to initialize NVML: Driver/library version mismatch");
        assertThat(eventKinds(id)).containsSubsequence("node.nvml-mismatch", "node.reboot-requested", "node.rebooted",
                "node.failed", "node.rollback-started", "node.rolled-back");
        assertThat(sim.host("gpu-h100-02").installedVersions()).isEqualTo(before);
    }

    @Test
    void theSameXidOnManyNodesOfAWaveIsADriverFaultAndFailsTheWave() {
        List<String> nodes = List.of("gpu-h100-03", "gpu-h100-04", "gpu-h100-09");
        Map<String, Map<String, String>> before = versions(nodes);
        long id = start(plan("xid-many", "nodes: [gpu-h100-03, gpu-h100-04, gpu-h100-09]", "570.86.24", true,
                "- name: all\n  size: rest", "maxFailuresPerWave: 1\nhardwareSignatureLimit: 1\nonFailure: rollback-wave")
                .replace("  failurePolicy:", "  checks:\n    - name: xid\n  failurePolicy:"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("haltReason")).contains("of wave all failed").contains("xid-79");
        assertThat(done.getList("waves[0].nodes.state")).doesNotContain("SUCCEEDED", "QUARANTINED").contains("ROLLED_BACK");
        assertThat(versions(nodes)).isEqualTo(before);
        List<String> planned = given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.kind == 'node.rollback-planned' }.message");
        assertThat(planned).anySatisfy(m -> assertThat(m).contains("the same hardware signature (xid-79)"));
    }

    @Test
    void fabricManagerLeftBehindFailsTheNodeWithThatReason() {
        Map<String, String> before = sim.host("gpu-a100-03").installedVersions();
        long id = start(plan("fm", "nodes: [gpu-a100-03]", "570.86.26", true, "- name: all\n  size: rest", "onFailure: rollback-wave")
                .replace("  failurePolicy:", "  checks:\n    - name: fabric-manager\n  failurePolicy:"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes[0].failureClass")).isEqualTo("DRIVER");
        assertThat(done.getString("waves[0].nodes[0].lastError"))
                .startsWith("fabric-manager: Fabric Manager and driver do not match: ")
                .contains("interface version " + before.get("nvidia-fabricmanager") + " don't match with driver version 570.86.26");
        assertThat(sim.host("gpu-a100-03").installedVersions()).isEqualTo(before);
    }

    @Test
    void theXidScanAfterTheWaveQuarantinesANodeThatPassedItsOwnChecks() {
        long id = start(plan("wave-xid", "nodes: [gpu-h100-13, gpu-h100-15]", "570.86.34", true, "- name: all\n  size: rest",
                "maxFailuresPerWave: 0\nonFailure: rollback-wave"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        String bad = "waves[0].nodes.find { it.name == 'gpu-h100-13' }";
        assertThat(done.getString(bad + ".state")).isEqualTo("QUARANTINED");
        assertThat(done.getString(bad + ".lastError")).isEqualTo("xid after wave all: XID 79 on 0000:5d:00: GPU has fallen off the bus");
        assertThat(done.getList(bad + ".checks.name")).contains("nvidia-smi", "wave-xid").doesNotContain("xid");
        assertThat(done.getString("waves[0].nodes.find { it.name == 'gpu-h100-15' }.state")).isEqualTo("SUCCEEDED");
        List<String> checked = given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.kind == 'wave.checked' }.message");
        assertThat(checked).containsExactly("XID scan after wave all: 2 node(s) scanned, 1 with a fatal XID");
    }

    @Test
    void lowNcclBandwidthAcrossTheWaveFailsTheWaveAndItRollsBack() {
        List<String> nodes = List.of("gpu-l40s-04", "gpu-l40s-06");
        Map<String, Map<String, String>> before = versions(nodes);
        long id = start(plan("nccl-across", "nodes: [gpu-l40s-04, gpu-l40s-06]", "570.86.22", false, "- name: all\n  size: rest",
                "onFailure: rollback-wave") + "  waveChecks:\n    nccl:\n      minBusBandwidthGBps: 300\n      size: 1G\n");
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("haltReason"))
                .isEqualTo("wave all failed its NCCL across 2 nodes: bus bandwidth 148.8 GB/s below the threshold 300.0 GB/s");
        assertThat(done.getList("waves[0].nodes.state")).containsOnly("ROLLED_BACK");
        assertThat(done.getList("waves[0].nodes[0].checks.name")).contains("wave-xid", "wave-nccl");
        assertThat(done.getString("waves[0].checkedAfterWaveAt")).isNotNull();
        assertThat(versions(nodes)).isEqualTo(before);
    }

    @Test
    void aPlanThatLeavesNoNodeToUpgradeStartsNothing() {
        String yaml = plan("nothing-to-do", "nodes: [gpu-l40s-03]", "570.124.06", false, "- name: all\n  size: rest", "onFailure: halt");
        given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", yaml))
                .when().post("/api/v1/rollouts").then().statusCode(409)
                .body("detail", containsString("plan nothing-to-do leaves no node to upgrade (gpu-l40s-03: out of service now"))
                .body("detail", containsString("; nothing was started"));
    }

    @Test
    void sudoRunsTheChangesAsRootAndWithoutHoldsNothingIsPinned() {
        String yaml = plan("sudo-unpinned", "nodes: [gpu-l40s-06]", "570.124.06", false, "- name: all\n  size: rest", "onFailure: halt")
                .replace("  waves:", "  method:\n    type: ssh\n    sudo: true\n    holdPackages: false\n  waves:");
        long id = start(yaml);
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(sim.host("gpu-l40s-06").installedVersions()).containsEntry("nvidia-driver", "570.124.06");
        assertThat(sim.host("gpu-l40s-06").commandsAsRoot()).as("the install and the reboot went through sudo -n").isGreaterThanOrEqualTo(2);
        assertThat(sim.host("gpu-l40s-06").pinned()).isFalse();
    }

    @Test
    void theRackPowerBudgetCapsConcurrentBurnIn() {
        List<String> rack = List.of("gpu-h100-05", "gpu-h100-06", "gpu-h100-07", "gpu-h100-08");
        String yaml = plan("burn-in", "nodes: [gpu-h100-05, gpu-h100-06, gpu-h100-07, gpu-h100-08]", "570.86.32", true,
                "- name: all\n  size: rest", "onFailure: rollback-wave")
                .replace("    maxUnavailable: 3\n    failureDomains:\n      - labelKey: rack\n        maxUnavailable: 2\n",
                        "    maxUnavailable: 4\n    power:\n      rackBudgetKw: 20\n      nodeDrawKw: 10\n")
                .replace("  failurePolicy:", "  checks:\n    - name: dcgm-diag\n      level: 3\n  failurePolicy:");
        assertThat(yaml).contains("rackBudgetKw: 20");
        long id;
        sim.holdHeavyChecks(true); // the first two burn-ins run until released: the other two wait for power meanwhile
        try {
            id = start(yaml);
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> assertThat(given().when()
                    .get("/api/v1/rollouts/" + id + "/nodes").then().statusCode(200).extract().jsonPath().<String>getList("burnIn"))
                    .as("two nodes burn in, the rack's 20 kW taken; two wait for power").containsExactlyInAnyOrder("running", "running",
                            "waiting-for-power", "waiting-for-power"));
        } finally {
            sim.holdHeavyChecks(false);
        }
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(done.getList("waves[0].nodes.checks.name").toString()).contains("dcgm-diag");
        assertThat(done.getList("waves[0].nodes.burnIn")).as("no node is in burn-in any more").containsOnlyNulls();
        assertThat(sim.maxConcurrentBurnInByRack("rack")).containsEntry("r02", 2);
        rack.forEach(n -> assertThat(sim.host(n).burnIns()).as(n).hasSize(1));
        List<String> admitted = given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.kind == 'node.burn-in-started' }.message");
        assertThat(admitted).hasSize(4).anySatisfy(m -> assertThat(m).contains("rack=r02 now draws about 20 of 20 kW"));
    }

    /**
     * While the one node out of service burns in, the next in line has its GPU baseline read (it is still pending, in
     * service); once it starts, its first look reads only its versions and boot id, and its event says so.
     */
    @Test
    void theNextNodeInLineHasItsGpusReadWhileTheNodeBeforeItIsOutOfService() {
        String first = "gpu-h100-10";
        String next = "gpu-h100-11";
        String yaml = plan("look-ahead", "nodes: [" + first + ", " + next + "]", "570.86.40", true, "- name: all\n  size: rest",
                "onFailure: halt")
                .replace("    maxUnavailable: 3\n    failureDomains:\n      - labelKey: rack\n        maxUnavailable: 2\n",
                        "    maxUnavailable: 1\n")
                .replace("  failurePolicy:", "  checks:\n    - name: dcgm-diag\n      level: 3\n  failurePolicy:");
        assertThat(yaml).contains("maxUnavailable: 1\n");
        int linkReads = sim.host(next).nvlinkReads();
        long id;
        sim.holdHeavyChecks(true); // the first node's burn-in holds the only slot until released
        try {
            id = start(yaml);
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                JsonPath nodes = given().when().get("/api/v1/rollouts/" + id + "/nodes").then().statusCode(200).extract().jsonPath();
                assertThat(nodes.<String>getList("findAll { it.name == '" + next + "' }.state")).containsExactly("PENDING");
                assertThat(sim.host(next).nvlinkReads()).as("the next node's GPUs read while it waits").isEqualTo(linkReads + 1);
            });
        } finally {
            sim.holdHeavyChecks(false);
        }
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(sim.host(next).nvlinkReads()).as("its baseline was not read again at its start").isEqualTo(linkReads + 1);
        List<Map<String, Object>> events = given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.kind == 'node.cordoned' }");
        assertThat(events).hasSize(2).anySatisfy(e -> {
            assertThat(e.get("node")).isEqualTo(next);
            assertThat((String) e.get("message")).contains("baseline: ").containsPattern("GPUs read [0-9.]+s ahead, while the node"
                    + " waited in line");
        }).anySatisfy(e -> {
            assertThat(e.get("node")).isEqualTo(first);
            assertThat((String) e.get("message")).doesNotContain("ahead");
        });
        assertThat(done.<String>getList("waves[0].nodes.find { it.name == '" + next + "' }.checks.findAll { it.name == 'gpu-inventory' }.status"))
                .as("the checks after the upgrade compared with the baseline read ahead").containsExactly("PASS");
    }

    /**
     * Once the canary has started, the next wave's first node has its GPUs read while the canary is still out of
     * service (no soak and no approval between the waves), and it starts with only its versions and boot id to read.
     */
    @Test
    void theNextWavesFirstNodeHasItsGpusReadWhileTheCanaryIsOutOfService() {
        List<String> names = List.of("gpu-h100-12", "gpu-h100-13");
        String yaml = plan("look-ahead-waves", "nodes: [" + String.join(", ", names) + "]", "570.86.42", true, CANARY_THEN_REST,
                "onFailure: halt")
                .replace("    maxUnavailable: 3\n    failureDomains:\n      - labelKey: rack\n        maxUnavailable: 2\n",
                        "    maxUnavailable: 1\n")
                .replace("  failurePolicy:", "  checks:\n    - name: dcgm-diag\n      level: 3\n  failurePolicy:");
        assertThat(yaml).contains("maxUnavailable: 1\n").doesNotContain("soak").doesNotContain("approval");
        Map<String, Integer> linkReads = names.stream().collect(java.util.stream.Collectors.toMap(n -> n, n -> sim.host(n).nvlinkReads()));
        long id;
        String canary;
        String next;
        sim.holdHeavyChecks(true); // the canary's burn-in holds the only slot until released
        try {
            id = start(yaml);
            canary = given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().statusCode(200).extract().jsonPath()
                    .getString("waves[0].nodes[0].name");
            next = names.get(0).equals(canary) ? names.get(1) : names.get(0);
            String waiting = next;
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
                JsonPath nodes = given().when().get("/api/v1/rollouts/" + id + "/nodes").then().statusCode(200).extract().jsonPath();
                assertThat(nodes.<String>getList("findAll { it.name == '" + waiting + "' }.state")).containsExactly("PENDING");
                assertThat(nodes.<String>getList("findAll { it.name == '" + canary + "' }.state")).containsExactly("BURN_IN");
                assertThat(sim.host(waiting).nvlinkReads()).as("the next wave's node read while the canary works")
                        .isEqualTo(linkReads.get(waiting) + 1);
            });
        } finally {
            sim.holdHeavyChecks(false);
        }
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(sim.host(next).nvlinkReads()).as("its baseline was not read again at its start").isEqualTo(linkReads.get(next) + 1);
        String nextNode = next;
        assertThat(given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract().jsonPath()
                .<Map<String, Object>>getList("findAll { it.kind == 'node.cordoned' && it.node == '" + nextNode + "' }"))
                .singleElement().satisfies(e -> assertThat((String) e.get("message"))
                        .containsPattern("GPUs read [0-9.]+s ahead, while the node waited in line"));
        assertThat(done.<String>getList("waves[1].nodes.find { it.name == '" + next + "' }.checks.findAll { it.name == 'gpu-inventory' }.status"))
                .as("the checks after the upgrade compared with the baseline read ahead").containsExactly("PASS");
    }

    @Test
    void badRequestsAreExplained() {
        given().contentType(ContentType.JSON).body(Map.of("plan", "nope")).when().post("/api/v1/rollouts").then()
                .statusCode(404).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of()).when().post("/api/v1/rollouts").then().statusCode(400);
        given().contentType(ContentType.JSON).body(Map.of("planYaml", "kind: RolloutPlan\n")).when()
                .post("/api/v1/rollouts").then().statusCode(422).body("errors[0].path", equalTo("apiVersion"));
        given().when().post("/api/v1/rollouts/999999/pause").then().statusCode(404).contentType("application/problem+json");
        given().contentType(ContentType.JSON).body(Map.of("planYaml", plan("operator", "nodes: [gpu-l40s-04]", "570.124.06",
                false, "- name: all\n  size: rest", "onFailure: halt").replace("  waves:", "  method:\n    type: gpu-operator\n  waves:")))
                .when().post("/api/v1/rollouts").then().statusCode(422)
                .body("detail", containsString("the gpu-operator method needs Kubernetes nodes"));
        given().contentType(ContentType.JSON).body(Map.of("planYaml", plan("bios-driver", "nodes: [gpu-a100-08]", "570.124.06",
                true, "- name: all\n  size: rest", "onFailure: halt").replace("  waves:", "  method:\n    type: redfish\n"
                        + "    imageUri: \"https://images.example/{component}-{version}.bin\"\n  waves:")))
                .when().post("/api/v1/rollouts").then().statusCode(422)
                .body("detail", containsString("the redfish method moves firmware"));
        given().contentType(ContentType.JSON).body(Map.of("planYaml", plan("amd", "nodes: [gpu-mi300x-02]", "6.8.0", false,
                "- name: all\n  size: rest", "onFailure: halt").replace("nvidia-driver: \"6.8.0\"", "amdgpu-driver: \"6.8.0\"")))
                .when().post("/api/v1/rollouts").then().statusCode(422)
                .body("detail", containsString("also moves amdgpu-driver"));
        given().when().get("/api/v1/rollouts/999999").then().statusCode(404);
    }
}
