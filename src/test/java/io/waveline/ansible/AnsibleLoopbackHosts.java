package io.waveline.ansible;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Two GPU hosts for a whole Ansible-method rollout, each behind its own real sshd on loopback whose ForceCommand
 * ({@code ansible-standin/waveline-shell}) sends every command — Waveline's and Ansible's — through stand-ins: the
 * package tools and nvidia-smi keep a state folder per host, a reboot only makes a new boot id, and nothing changes
 * on the machine itself. Gives Waveline a static inventory of the two hosts, its SSH key and known_hosts, and the
 * Ansible inventory the plan names.
 */
public class AnsibleLoopbackHosts implements QuarkusTestResourceLifecycleManager {

    private final List<LoopbackSshd> servers = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        if (!Files.isExecutable(Path.of("/usr/bin/ansible-playbook")) || !LoopbackSshd.available()) {
            return Map.of("waveline.test.ansible", "missing");
        }
        try {
            Path root = Files.createTempDirectory("waveline-ansible-e2e");
            StringBuilder nodes = new StringBuilder("nodes:\n");
            StringBuilder ansible = new StringBuilder("[gpu_nodes]\n");
            Path key = null;
            Path knownHosts = root.resolve("known_hosts");
            StringBuilder known = new StringBuilder();
            for (String host : List.of("lb-node-a", "lb-node-b")) {
                Path bin = Files.createDirectories(root.resolve(host).resolve("bin"));
                Path state = Files.createDirectories(root.resolve(host).resolve("state"));
                for (String tool : List.of("apt-get", "apt-mark", "dpkg-query", "nvidia-smi", "systemctl", "waveline-shell")) {
                    Path script = bin.resolve(tool);
                    Files.copy(Path.of("src/test/resources/ansible-standin", tool), script);
                    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                Files.writeString(state.resolve("pkg-nvidia-driver-550"), "550.127.05-1\n");
                Files.writeString(state.resolve("pkg-nvidia-fabricmanager-550"), "550.127.05-1\n");
                Files.writeString(state.resolve("boot_id"), java.util.UUID.randomUUID() + "\n");
                LoopbackSshd sshd = new LoopbackSshd(Files.createDirectories(root.resolve(host).resolve("sshd")),
                        bin.resolve("waveline-shell") + " " + state + " " + bin);
                servers.add(sshd);
                key = key == null ? sshd.clientKey : key;
                if (!sshd.clientKey.equals(key)) {
                    Files.writeString(sshd.dir.resolve("authorized_keys"), Files.readString(key.resolveSibling("client_ed25519.pub")));
                }
                known.append(Files.readString(sshd.knownHosts));
                nodes.append("  - name: ").append(host).append("\n    address: 127.0.0.1\n    port: ").append(sshd.port)
                        .append("\n    user: root\n    labels: {rack: r-").append(host).append("}\n")
                        .append("    gpu: {vendor: nvidia, model: H100-SXM5-80GB, count: 2, nvswitch: false}\n")
                        .append("    versions: {nvidia-driver: 550.127.05, nvidia-fabricmanager: 550.127.05}\n");
                ansible.append(host).append(" ansible_host=127.0.0.1 ansible_port=").append(sshd.port)
                        .append(" nvidia_apt_get=").append(bin.resolve("apt-get")).append(" nvidia_apt_mark=").append(bin.resolve("apt-mark"))
                        .append(" nvidia_dpkg_query=").append(bin.resolve("dpkg-query")).append(" nvidia_smi=").append(bin.resolve("nvidia-smi"))
                        .append(" nvidia_systemctl=").append(bin.resolve("systemctl")).append('\n');
            }
            Files.writeString(knownHosts, known);
            ansible.append("\n[gpu_nodes:vars]\nansible_user=root\nansible_ssh_private_key_file=").append(key)
                    .append("\nansible_ssh_common_args='-o UserKnownHostsFile=").append(knownHosts).append(" -o StrictHostKeyChecking=yes'\n");
            Files.writeString(root.resolve("inventory.yaml"), nodes);
            Files.writeString(root.resolve("ansible-inventory.ini"), ansible);
            Map<String, String> config = new HashMap<>();
            config.put("waveline.sim.enabled", "false");
            config.put("waveline.inventory.static-file", root.resolve("inventory.yaml").toString());
            config.put("waveline.ssh.private-key", key.toString());
            config.put("waveline.ssh.known-hosts", knownHosts.toString());
            config.put("waveline.ansible.jobs-dir", root.resolve("jobs").toString());
            config.put("waveline.test.ansible", root.toString());
            return config;
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the loopback Ansible hosts", e);
        }
    }

    @Override
    public void stop() {
        servers.forEach(LoopbackSshd::close);
    }
}
