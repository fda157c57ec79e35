package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.waveline.rollout.port.CheckOutcome;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * The wave-level XID scan keeps its progress: each node's verdict is committed as it is scanned, so a replica that
 * dies in the middle of the scan leaves the verdicts it had, and the replica taking over scans only the nodes left.
 * Shown by a verdict the dying replica recorded (a fatal XID the simulated host does not have): it is the one that
 * counts, so that node was not scanned again.
 */
@QuarkusTest
class WaveScanProgressTest {

    @Inject
    RolloutStore store;

    @Inject
    NodeStepper stepper;

    @Inject
    Clock clock;

    @Inject
    EntityManager em;

    @Test
    void aScanInterruptedByACrashGoesOnFromTheVerdictsAlreadyCommitted() {
        String plan = ConcurrentStartTestPlans.plan("wave-scan-progress", "gpu-h100-10, gpu-h100-11", "570.124.91")
                + "  failurePolicy:\n    maxFailuresPerWave: 1\n    onFailure: halt\n";
        DyingReplica dying = new DyingReplica(store, stepper, clock, em).start(plan);
        Action.CheckWave check = (Action.CheckWave) dying.driveUntil((action, decided) -> action instanceof Action.CheckWave, false);
        long scannedBeforeTheCrash = store.snapshot(dying.rollout).orElseThrow().allNodes().stream()
                .filter(n -> n.node().name().equals("gpu-h100-10")).findFirst().orElseThrow().id();
        assertThat(store.recordScans(dying.lease, check, Map.of(scannedBeforeTheCrash, CheckOutcome.fail("xid", CheckOutcome.Cause.HARDWARE,
                "Xid 79 on GPU 2 (PCI:0000:41:00): GPU has fallen off the bus", Map.of("xids", List.of(79)), "xid-79")))).isTrue();

        dying.die();

        JsonPath rollout = given().when().get("/api/v1/rollouts/" + dying.rollout + "?nodes=true").then().statusCode(200).extract().jsonPath();
        assertThat(rollout.getString("waves[0].nodes.find { it.name == 'gpu-h100-10' }.state")).isEqualTo("QUARANTINED");
        assertThat(rollout.getString("waves[0].nodes.find { it.name == 'gpu-h100-11' }.state")).isEqualTo("SUCCEEDED");
        List<String> summaries = rollout.getList("waves[0].nodes.find { it.name == 'gpu-h100-10' }.checks.findAll { it.name == 'wave-xid' }.summary");
        assertThat(summaries).anySatisfy(s -> assertThat(s).contains("Xid 79 on GPU 2 (PCI:0000:41:00)"));
        List<String> checked = given().when().get("/api/v1/rollouts/" + dying.rollout + "/events").then().extract().jsonPath()
                .getList("findAll { it.kind == 'wave.checked' }.message");
        assertThat(checked.get(0)).contains("2 node(s) scanned, 1 with a fatal XID");
    }
}
