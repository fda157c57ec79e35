package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static io.waveline.rollout.RolloutScenariosTest.awaitState;
import static io.waveline.rollout.RolloutScenariosTest.eventKinds;
import static io.waveline.rollout.RolloutScenariosTest.start;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.waveline.sim.SimBmcs;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Firmware rollouts on the simulated fleet, driven through the REST API. Through Redfish on the simulated BMCs
 * (test profile: {@code 1.12.0@gpu-a100-08:task-fails}, {@code 2.5.0:graceful-ignored},
 * {@code 1.13.0@gpu-a100-04:bmc-gone}, {@code 1.14.0@gpu-a100-06:version-unchanged}, {@code 1.15.0@gpu-a100-05:bmc-restarts},
 * {@code 28.41.1000@gpu-h100-11:no-power-cycle},
 * credentials {@code sim-lab}): waves
 * with a failing task, the reset each component needs, escalation from a graceful to a forced restart, a multipart
 * push of an image file, the plan's credentials reference, update tasks kept with the node run, a BMC that does not
 * come back, and one that restarts and is waited for. Through the host tools over SSH ({@code nvfwupd}, {@code mlxfwmanager}; fault
 * {@code 28.40.1000@gpu-h100-15:install-fails}): a power cycle activates GPU firmware, a failed flash rolls the wave back.
 */
@QuarkusTest
class FirmwareRolloutTest {

    @Inject
    SimBmcs bmcs;

    @Inject
    EntityManager em;

    @Inject
    io.waveline.sim.SimFleet sim;

    /** The method setting that has the BMCs fetch images by SimpleUpdate. */
    static final String IMAGE_URI = "imageUri: \"https://images.example/{component}-{version}.bin\"\n";

    static String plan(String name, String nodes, String components, String method) {
        return """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: %s
                spec:
                  target:
                    nodes: [%s]
                    components:
                %s
                  method:
                    type: redfish
                %s
                  waves:
                    - name: all
                      size: rest
                  limits:
                    maxUnavailable: 2
                  failurePolicy:
                    maxFailuresPerWave: 0
                    onFailure: halt
                """.formatted(name, nodes, components.indent(6).stripTrailing(), method.indent(4).stripTrailing());
    }

    @Test
    void firmwareThroughRedfishInWavesAFailingTaskFailsTheWaveAndItGoesBack() {
        String yaml = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: bmc-1-12
                spec:
                  target:
                    nodes: [gpu-h100-16, gpu-a100-07, gpu-a100-08]
                    components:
                      bmc-firmware: "1.12.0"
                  method:
                    type: redfish
                    imageUri: "https://images.example/{component}-{version}.bin"
                  waves:
                    - name: canary
                      size: 1
                    - name: rest
                      size: rest
                  limits:
                    maxUnavailable: 3
                  failurePolicy:
                    maxFailuresPerWave: 0
                    onFailure: rollback-wave
                """;
        long id = start(yaml);
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        String canary = done.getString("waves[0].nodes[0].name");
        assertThat(done.getString("waves[0].nodes[0].state")).isEqualTo("SUCCEEDED");
        assertThat(bmcs.bmc(canary).version("BMC")).isEqualTo("1.12.0");
        assertThat(done.getList("waves[0].nodes[0].checks.name")).contains("nvidia-smi", "firmware-version");
        String failed = "waves[1].nodes.find { it.name == 'gpu-a100-08' }";
        assertThat(done.getString(failed + ".state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString(failed + ".lastError")).startsWith("install of bmc-firmware 1.12.0 failed (exit 1): BMC update task")
                .endsWith("ended Exception: The image failed verification: signature mismatch");
        assertThat(done.getString("haltReason")).contains("gpu-a100-08").contains("over its budget of 0");
        assertThat(bmcs.bmc("gpu-a100-08").version("BMC")).isEqualTo("1.10.0");
        for (String node : List.of("gpu-h100-16", "gpu-a100-07")) {
            if (!node.equals(canary)) {
                assertThat(done.getString("waves[1].nodes.find { it.name == '" + node + "' }.state")).isIn("ROLLED_BACK", "SKIPPED");
                assertThat(bmcs.bmc(node).version("BMC")).as(node + " back on the old BMC firmware").isEqualTo("1.10.0");
            }
        }
        assertThat(eventKinds(id)).contains("node.versions-corrected", "node.install-started", "node.reset-skipped",
                "rollout.halted", "node.rollback-started", "rollout.rolled-back").doesNotContain("node.reboot-requested");
    }

    @Test
    void aGracefulRestartTheHostIgnoresIsForcedAfterTheWaitAndTheTasksAreKeptWithTheNodeRun() {
        long id = start(plan("bios-2-5", "gpu-l40s-05, gpu-l40s-06", "bios: \"2.5.0\"", IMAGE_URI + """
                credentialsRef: sim-lab
                forceResetAfter: 1s
                """));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "HALTED");
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        for (String node : List.of("gpu-l40s-05", "gpu-l40s-06")) {
            assertThat(bmcs.bmc(node).version("BIOS")).as(node).isEqualTo("2.5.0");
            assertThat(bmcs.bmc(node).resetTypes()).as(node + ": graceful first, forced when nothing happened")
                    .containsExactly("GracefulRestart", "ForceRestart");
        }
        assertThat(eventKinds(id)).containsSubsequence("node.install-started", "node.installed", "node.reboot-requested",
                "node.reset-escalated", "node.rebooted", "node.validated");
        List<String> escalations = given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.kind == 'node.reset-escalated' }.message");
        assertThat(escalations).hasSize(2).allSatisfy(m -> assertThat(m)
                .isEqualTo("no new boot id 1s after GracefulRestart: forced restart through the BMC"));
        @SuppressWarnings("unchecked")
        List<String> handles = em.createNativeQuery("select job_handle from node_run where rollout_id = ?1")
                .setParameter(1, id).getResultList();
        assertThat(handles).as("the update task of each node is stored with its node run, to be followed after a restart")
                .hasSize(2).allSatisfy(h -> assertThat(h).matches("/redfish/v1/TaskService/Tasks/\\d+"));
    }

    @Test
    void gpuAndNicFirmwarePushedFromImageFilesAreActivatedByAPowerCycle() throws Exception {
        Path images = Files.createTempDirectory("waveline-firmware");
        Files.write(images.resolve("gpu-firmware-96.00.A1.00.01.bin"), new byte[] {1, 2, 3, 4});
        Files.write(images.resolve("nic-firmware-28.42.1000.bin"), new byte[] {5, 6, 7});
        long id = start(plan("gpu-nic-fw", "gpu-h100-10", "gpu-firmware: \"96.00.A1.00.01\"\nnic-firmware: \"28.42.1000\"",
                "imageFile: \"" + images + "/{component}-{version}.bin\""));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "HALTED");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(bmcs.bmc("gpu-h100-10").pushed()).containsExactlyInAnyOrder("gpu-firmware-96.00.A1.00.01.bin",
                "nic-firmware-28.42.1000.bin");
        assertThat(bmcs.bmc("gpu-h100-10").resetTypes()).as("GPU and NIC firmware need a power cycle").containsExactly("PowerCycle");
        assertThat(bmcs.bmc("gpu-h100-10").version("GPU_FW")).isEqualTo("96.00.A1.00.01");
        assertThat(bmcs.bmc("gpu-h100-10").version("NIC_FW")).isEqualTo("28.42.1000");
        assertThat(done.getList("waves[0].nodes[0].checks.name")).contains("firmware-version");
    }

    @Test
    void aBmcWithoutPowerCycleIsPowerCycledWithForceOffThenOn() {
        long id = start(plan("nic-28-41", "gpu-h100-11", "nic-firmware: \"28.41.1000\"", IMAGE_URI));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(bmcs.bmc("gpu-h100-11").resetTypes()).as("the BMC offers no PowerCycle").containsExactly("ForceOff", "On");
        assertThat(bmcs.bmc("gpu-h100-11").version("NIC_FW")).isEqualTo("28.41.1000");
    }

    @Test
    void firmwareThatCannotGoBackIsNotRolledBackOnRequest() {
        long id = start(plan("bios-2-7", "gpu-h100-07", "bios: \"2.7.0\"", IMAGE_URI + "rollback: none\n"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(done.getString("waves[0].nodes[0].state")).isEqualTo("SUCCEEDED");
        given().header("X-Waveline-Actor", "bob").when().post("/api/v1/rollouts/" + id + "/rollback").then().statusCode(409)
                .body("detail", containsString("says method.rollback: none: what it installed cannot go back, so Waveline does not"
                        + " pretend to roll it back; roll forward with a new plan"));
        assertThat(bmcs.bmc("gpu-h100-07").version("BIOS")).isEqualTo("2.7.0");
        assertThat(RolloutScenariosTest.rollout(id).getString("state")).isEqualTo("SUCCEEDED");
    }

    @Test
    void aPlanNamingCredentialsThatAreNotConfiguredIsRefusedBeforeAnyNodeIsTouched() {
        String yaml = plan("bios-no-creds", "gpu-l40s-04", "bios: \"2.6.0\"", IMAGE_URI + """
                credentialsRef: lab-bmc
                """);
        given().contentType(ContentType.JSON).body(Map.of("planYaml", yaml)).when().post("/api/v1/rollouts")
                .then().statusCode(422)
                .body("detail", containsString("credentialsRef lab-bmc names no credentials: set"
                        + " waveline.redfish.credentials.lab-bmc.password (environment WAVELINE_REDFISH_CREDENTIALS_LAB_BMC_PASSWORD"));
        assertThat(bmcs.bmc("gpu-l40s-04").version("BIOS")).isEqualTo("2.4.1");
    }

    @Test
    void hostToolsOverSshFlashGpuAndNicFirmwareAPowerCycleActivatesItAndAFailedFlashRollsTheWaveBack() {
        String yaml = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: hgx-fw-24-11
                spec:
                  target:
                    nodes: [gpu-h100-14, gpu-h100-15]
                    components:
                      gpu-firmware: "96.00.A1.00.01"
                      nic-firmware: "28.40.1000"
                  method:
                    type: ssh
                    firmwareImage: /srv/firmware/{component}-{version}.fwpkg
                  waves:
                    - name: canary
                      size: 1
                    - name: rest
                      size: rest
                  limits:
                    maxUnavailable: 1
                  failurePolicy:
                    maxFailuresPerWave: 0
                    onFailure: rollback-wave
                """;
        long id = start(yaml);
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK", "HALTED");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes[0].name")).as("the canary, in name order").isEqualTo("gpu-h100-14");
        assertThat(done.getString("waves[0].nodes[0].state")).isEqualTo("SUCCEEDED");
        assertThat(sim.host("gpu-h100-14").installedVersions()).containsEntry("gpu-firmware", "96.00.A1.00.01")
                .containsEntry("nic-firmware", "28.40.1000");
        assertThat(done.getList("waves[0].nodes[0].checks.name")).contains("nvidia-smi", "firmware-version");
        String failed = "waves[1].nodes[0]";
        assertThat(done.getString(failed + ".state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString(failed + ".lastError")).startsWith("install of gpu-firmware 96.00.A1.00.01, nic-firmware 28.40.1000 failed (exit 1)")
                .contains("FW update failed: image verification failed");
        assertThat(sim.host("gpu-h100-15").installedVersions()).doesNotContainKey("gpu-firmware").doesNotContainKey("nic-firmware");
        List<Map<String, String>> events = given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.node == 'gpu-h100-14' }");
        assertThat(events).anySatisfy(e -> assertThat(e.get("message"))
                .startsWith("installing gpu-firmware 96.00.A1.00.01, nic-firmware 28.40.1000 with nvfwupd and mlxfwmanager (job wl-"));
        assertThat(events).anySatisfy(e -> assertThat(e.get("message")).isEqualTo("power cycle from the host (ipmitool chassis power cycle)"));
    }

    @Test
    void firmwareThroughHostToolsNeedsAPlanOfItsOwn() {
        String yaml = plan("mixed-fw", "gpu-l40s-03", "nvidia-driver: \"570.86.32\"\nnic-firmware: \"28.40.1000\"", "")
                .replace("    type: redfish\n", "    type: ssh\n    firmwareImage: /srv/firmware/{component}-{version}.bin\n");
        given().contentType(ContentType.JSON).body(Map.of("planYaml", yaml)).when().post("/api/v1/rollouts")
                .then().statusCode(422).body("detail", containsString("with method.firmwareImage the ssh method moves firmware"
                        + " through host tools only (gpu-firmware, nvswitch-firmware: nvfwupd; nic-firmware: mlxfwmanager); plan"
                        + " mixed-fw also moves nvidia-driver"));
    }

    @Test
    void firmwareThatIsNotRunningAfterActivationFailsTheNodeAndItGoesBack() {
        long id = start(plan("bmc-1-14", "gpu-a100-06", "bmc-firmware: \"1.14.0\"", IMAGE_URI)
                .replace("onFailure: halt", "onFailure: rollback-wave"));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes[0].lastError"))
                .isEqualTo("firmware-version: bmc-firmware runs 1.10.0, expected 1.14.0 after activation");
        assertThat(bmcs.bmc("gpu-a100-06").version("BMC")).isEqualTo("1.10.0");
    }

    @Test
    void aBmcRestartingToActivateItsFirmwareIsWaitedForWithoutUsingUpTheRetries() {
        long id = start(plan("bmc-1-15", "gpu-a100-05", "bmc-firmware: \"1.15.0\"", IMAGE_URI));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("SUCCEEDED");
        assertThat(bmcs.bmc("gpu-a100-05").version("BMC")).isEqualTo("1.15.0");
        assertThat(eventKinds(id)).as("the BMC restarts itself: no host reset").containsSubsequence("node.install-started",
                "node.installed", "node.reset-skipped", "node.waiting-to-answer", "node.validated").doesNotContain("node.retry",
                        "node.reboot-requested");
        List<String> waits = given().when().get("/api/v1/rollouts/" + id + "/events").then().statusCode(200).extract()
                .jsonPath().getList("findAll { it.kind == 'node.waiting-to-answer' }.message");
        assertThat(waits).singleElement().asString().startsWith("waiting for it to answer again, at most 4s (BMC of gpu-a100-05: cannot"
                + " reach the BMC at https://127.0.0.1:");
    }

    @Test
    void aBmcThatDoesNotComeBackAfterActivatingItsFirmwareFailsTheNodeAndHaltsTheRollout() {
        long id = start(plan("bmc-1-13", "gpu-a100-04", "bmc-firmware: \"1.13.0\"", IMAGE_URI + """
                forceResetAfter: 1s
                """));
        JsonPath done = awaitState(id, "SUCCEEDED", "FAILED", "ROLLED_BACK");
        assertThat(done.getString("state")).as(done.prettify()).isEqualTo("FAILED");
        assertThat(done.getString("waves[0].nodes[0].state")).isEqualTo("FAILED");
        assertThat(done.getString("waves[0].nodes[0].lastError")).startsWith("unreachable after 5 attempts: BMC of gpu-a100-04: cannot reach"
                + " the BMC at https://127.0.0.1:");
        assertThat(eventKinds(id)).containsSubsequence("node.installed", "node.waiting-to-answer", "node.retry", "node.failed",
                "rollout.halted");
    }
}
