package io.waveline.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The playbooks in {@code ansible/} run by the real {@code ansible-playbook} against the loopback hosts of
 * {@link LoopbackAnsibleHosts}: upgrade, idempotence, check mode, rollback, a failing install.
 */
class AnsiblePlaybooksTest extends LoopbackAnsibleHosts {
    /** Runs a playbook with the JSON callback and answers its report. */
    static JsonNode play(String playbook, String... extra) throws Exception {
        List<String> command = new ArrayList<>(List.of("ansible-playbook", "-i", inventory.toString(), playbook, "-e", "nvidia_serial=2"));
        for (String e : extra) {
            command.add(e.startsWith("--") ? e : "-e");
            if (!e.startsWith("--")) {
                command.add(e);
            }
        }
        ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("ansible").toFile());
        builder.environment().putAll(Map.of("ANSIBLE_STDOUT_CALLBACK", "waveline_json", "ANSIBLE_CONFIG", Path.of("ansible/ansible.cfg")
                .toAbsolutePath().toString(), "ANSIBLE_LOCAL_TEMP", root.resolve("ansible-tmp").toString()));
        Process process = builder.redirectError(root.resolve("ansible-stderr.log").toFile()).start();
        String out = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        if (out.indexOf('{') < 0) {
            throw new AssertionError("ansible-playbook printed no JSON: " + out + Files.readString(root.resolve("ansible-stderr.log")));
        }
        return JSON.readTree(out.substring(out.indexOf('{')));
    }

    /** "task: message" for each task that failed on the host. */
    static List<String> failures(JsonNode report, String host) {
        List<String> failed = new ArrayList<>();
        for (JsonNode play : report.path("plays")) {
            for (JsonNode task : play.path("tasks")) {
                JsonNode result = task.path("hosts").path(host);
                if (result.path("failed").asBoolean(false)) {
                    failed.add(task.path("task").path("name").asText() + ": " + (result.path("stderr").asText().isBlank()
                            ? result.path("msg").asText() : result.path("stderr").asText()));
                }
            }
        }
        return failed;
    }

    static int stat(JsonNode report, String host, String field) {
        return report.path("stats").path(host).path(field).asInt(-1);
    }

    @Test
    void upgradeIsIdempotentCheckModeChangesNothingAndRollbackReturns() throws Exception {
        JsonNode up = play("upgrade.yml", "nvidia_driver_version=570.133.20", "nvidia_fabricmanager_version=570.133.20");
        assertThat(failures(up, "node-a")).isEmpty();
        assertThat(failures(up, "node-b")).isEmpty();
        assertThat(stat(up, "node-a", "changed")).isPositive();
        assertThat(installed("node-a", "nvidia-driver-570")).isEqualTo("570.133.20-1");
        assertThat(installed("node-b", "nvidia-fabricmanager-570")).isEqualTo("570.133.20-1");
        assertThat(Files.exists(root.resolve("node-a/state/hold-nvidia-driver-570"))).as("held").isTrue();

        JsonNode again = play("upgrade.yml", "nvidia_driver_version=570.133.20", "nvidia_fabricmanager_version=570.133.20");
        assertThat(stat(again, "node-a", "changed")).as("a second run changes nothing").isZero();
        assertThat(stat(again, "node-b", "changed")).isZero();

        JsonNode dry = play("upgrade.yml", "nvidia_driver_version=570.172.08", "nvidia_fabricmanager_version=570.172.08", "--check");
        assertThat(failures(dry, "node-a")).isEmpty();
        assertThat(installed("node-a", "nvidia-driver-570")).as("--check installs nothing").isEqualTo("570.133.20-1");

        JsonNode back = play("rollback.yml", "nvidia_previous_driver_version=550.127.05", "nvidia_previous_fabricmanager_version=550.127.05");
        assertThat(failures(back, "node-a")).isEmpty();
        assertThat(installed("node-a", "nvidia-driver-550")).isEqualTo("550.127.05-1");
    }

    @Test
    void aFailingInstallNamesTheTaskAndTheError() throws Exception {
        Files.writeString(root.resolve("node-b/state/fail-575.51.02"), "");
        JsonNode report = play("upgrade.yml", "nvidia_driver_version=575.51.02", "nvidia_fabricmanager_version=575.51.02");
        assertThat(failures(report, "node-a")).isEmpty();
        assertThat(stat(report, "node-b", "failures")).isEqualTo(1);
        assertThat(failures(report, "node-b")).singleElement().asString()
                .startsWith("nvidia_driver : Install the driver and Fabric Manager together: ")
                .contains("E: Sub-process /usr/bin/dpkg returned an error code (1)");
        assertThat(installed("node-b", "nvidia-driver-575")).isEqualTo("none");
    }
}
