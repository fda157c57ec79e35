package io.waveline.ansible;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;

/**
 * A whole rollout with the {@code ansible} method on two loopback hosts ({@link AnsibleLoopbackHosts}): Waveline
 * reaches them over real SSH for its own steps and runs the real {@code ansible-playbook} per node for the install;
 * one host's install fails (a DKMS build error from the stand-in apt-get), so the wave fails and both go back to
 * their previous driver through the same playbook.
 */
@QuarkusTest
@TestProfile(AnsibleRolloutTest.LoopbackHosts.class)
class AnsibleRolloutTest {

    public static class LoopbackHosts implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(AnsibleLoopbackHosts.class));
        }

        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("waveline.engine.reboot-timeout", "30s");
        }
    }

    @ConfigProperty(name = "waveline.test.ansible")
    String root;

    static JsonPath rollout(long id) {
        return given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().statusCode(200).extract().jsonPath();
    }

    String installed(String host, String pkg) throws Exception {
        Path file = Path.of(root, host, "state", "pkg-" + pkg);
        return Files.exists(file) ? Files.readString(file).strip() : "none";
    }

    @Test
    void anAnsibleRolloutUpgradesAndAFailingHostSendsTheWaveBack() throws Exception {
        if ("1".equals(System.getenv("WAVELINE_REQUIRE_ANSIBLE"))) {
            assertThat(root).as("ansible-playbook, sshd and root are required (WAVELINE_REQUIRE_ANSIBLE=1)").isNotEqualTo("missing");
        }
        Assumptions.assumeFalse("missing".equals(root), "ansible-playbook or sshd missing");
        Files.writeString(Path.of(root, "lb-node-b", "state", "fail-570.133.20"), "");
        String plan = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: ansible-570
                spec:
                  target:
                    nodes: [lb-node-a, lb-node-b]
                    components:
                      nvidia-driver: "570.133.20"
                      nvidia-fabricmanager: "570.133.20"
                  method:
                    type: ansible
                    playbook: upgrade.yml
                    inventory: %s
                    timeout: 5m
                  waves:
                    - name: all
                      size: rest
                  limits:
                    maxUnavailable: 2
                  failurePolicy:
                    maxFailuresPerWave: 0
                    onFailure: rollback-wave
                """.formatted(Path.of(root, "ansible-inventory.ini"));
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().log().ifValidationFails().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                .until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK").contains(rollout(id).getString("state")));
        JsonPath done = rollout(id);
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes.find { it.name == 'lb-node-b' }.lastError"))
                .isEqualTo("install of nvidia-driver 570.133.20, nvidia-fabricmanager 570.133.20 failed (exit 2): task nvidia_driver"
                        + " : Install the driver and Fabric Manager together failed: E: Sub-process /usr/bin/dpkg returned an error code (1)");
        assertThat(done.getList("waves[0].nodes.state")).containsOnly("ROLLED_BACK");
        assertThat(installed("lb-node-a", "nvidia-driver-550")).as("upgraded, then back").isEqualTo("550.127.05-1");
        assertThat(installed("lb-node-a", "nvidia-driver-570")).isEqualTo("none");
        assertThat(installed("lb-node-b", "nvidia-driver-550")).isEqualTo("550.127.05-1");
        List<String> installed = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath()
                .getList("findAll { it.kind == 'node.installed' }.message");
        assertThat(installed).anySatisfy(m -> assertThat(m).startsWith("installed nvidia-driver 570.133.20, nvidia-fabricmanager"
                + " 570.133.20 (ansible-playbook: ok=").contains("failed=0"));
        List<String> kinds = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath().getList("kind");
        assertThat(kinds).contains("node.install-started", "node.installed", "node.rebooted", "node.failed", "rollout.halted",
                "node.rollback-started", "node.rolled-back", "rollout.rolled-back");
    }
}
