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
 * The playbooks in {@code ansible/} run by the real {@code ansible-playbook} against two hosts reached over real
 * SSH on loopback, with apt-get, apt-mark, dpkg-query, nvidia-smi and systemctl pointed at harmless stand-ins
 * ({@code src/test/resources/ansible-standin}) that keep each host's "installed" packages in a folder, so no real driver
 * is installed. Skipped where ansible-playbook or sshd are missing, unless {@code WAVELINE_REQUIRE_ANSIBLE=1}
 * ({@code .ci/run} installs them and sets it).
 */
class AnsiblePlaybooksTest {

    static final ObjectMapper JSON = new ObjectMapper();
    static LoopbackSshd sshd;
    static Path inventory;
    static Path root;

    @BeforeAll
    static void hosts(@TempDir Path temp) throws Exception {
        boolean ready = Files.isExecutable(Path.of("/usr/bin/ansible-playbook")) && LoopbackSshd.available();
        if ("1".equals(System.getenv("WAVELINE_REQUIRE_ANSIBLE"))) {
            assertThat(ready).as("ansible-playbook, sshd and root are required (WAVELINE_REQUIRE_ANSIBLE=1)").isTrue();
        }
        Assumptions.assumeTrue(ready, "ansible-playbook or sshd missing (install ansible-core and openssh-server)");
        root = temp;
        sshd = new LoopbackSshd(Files.createDirectories(temp.resolve("sshd")));
        StringBuilder hosts = new StringBuilder("[gpu_nodes]\n");
        for (String host : List.of("node-a", "node-b")) {
            Path bin = Files.createDirectories(temp.resolve(host).resolve("bin"));
            Files.createDirectories(temp.resolve(host).resolve("state"));
            for (String tool : List.of("apt-get", "apt-mark", "dpkg-query", "nvidia-smi", "systemctl")) {
                Path script = bin.resolve(tool);
                Files.copy(Path.of("src/test/resources/ansible-standin", tool), script);
                Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            }
            hosts.append(host).append(" ansible_host=127.0.0.1 ansible_port=").append(sshd.port)
                    .append(" nvidia_apt_get=").append(bin.resolve("apt-get")).append(" nvidia_apt_mark=").append(bin.resolve("apt-mark"))
                    .append(" nvidia_dpkg_query=").append(bin.resolve("dpkg-query")).append(" nvidia_smi=").append(bin.resolve("nvidia-smi"))
                    .append(" nvidia_systemctl=").append(bin.resolve("systemctl")).append('\n');
        }
        hosts.append("\n[gpu_nodes:vars]\nansible_user=root\nansible_ssh_private_key_file=").append(sshd.clientKey)
                .append("\nansible_ssh_common_args='-o UserKnownHostsFile=").append(sshd.knownHosts)
                .append(" -o StrictHostKeyChecking=yes'\nnvidia_reboot=false\n");
        inventory = temp.resolve("inventory.ini");
        Files.writeString(inventory, hosts);
    }

    /** Both hosts back on 550.127.05, nothing held, no fault planted. */
    @org.junit.jupiter.api.BeforeEach
    void freshHosts() throws IOException {
        for (String host : List.of("node-a", "node-b")) {
            Path state = root.resolve(host).resolve("state");
            try (var files = Files.list(state)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            install(host, "550.127.05");
        }
    }

    @AfterAll
    static void stop() {
        if (sshd != null) {
            sshd.close();
        }
    }

    static void install(String host, String version) throws IOException {
        Path state = root.resolve(host).resolve("state");
        Files.writeString(state.resolve("pkg-nvidia-driver-" + version.split("\\.")[0]), version + "-1\n");
        Files.writeString(state.resolve("pkg-nvidia-fabricmanager-" + version.split("\\.")[0]), version + "-1\n");
    }

    static String installed(String host, String pkg) throws IOException {
        Path file = root.resolve(host).resolve("state").resolve("pkg-" + pkg);
        return Files.exists(file) ? Files.readString(file).strip() : "none";
    }

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
