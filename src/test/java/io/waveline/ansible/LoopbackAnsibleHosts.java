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
 * Two hosts for Ansible, node-a and node-b, reached over real SSH on loopback ({@link LoopbackSshd}), with apt-get,
 * apt-mark, dpkg-query, nvidia-smi and systemctl pointed at harmless stand-ins ({@code src/test/resources/
 * ansible-standin}) that keep each host's "installed" packages in a folder, so no real driver is installed. Each test
 * starts with both on 550.127.05. Skipped where ansible-playbook or sshd are missing, unless
 * {@code WAVELINE_REQUIRE_ANSIBLE=1} ({@code .ci/run} installs them and sets it).
 */
abstract class LoopbackAnsibleHosts {


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

}
