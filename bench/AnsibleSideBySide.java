import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code bench/run.sh ansible}: the same hosts upgraded by Waveline's {@code ssh} method and by {@code ansible-playbook}
 * with {@code serial}, one after the other in one run, and both wall times with their ratio. Waveline runs two rollouts
 * on one service (a fresh JVM's first, then the next), the hosts made fresh before each.
 *
 * <p>The hosts are real OpenSSH servers on loopback, one per host, whose ForceCommand
 * ({@code src/test/resources/ansible-standin/waveline-shell}) sends every command of both tools through the test
 * stand-ins: {@code apt-get} takes the host's install time (1, 2 or 3 s), a reboot takes 1 s before the boot id
 * changes, nothing on this machine changes. Waveline runs one wave over all hosts with {@code maxUnavailable} equal
 * to Ansible's {@code serial}; Ansible runs the shipped {@code ansible/upgrade.yml} (install, reboot with
 * {@code ansible.builtin.reboot}, verify). Needs root, {@code sshd} and {@code ansible-playbook} (Debian's
 * openssh-server and ansible-core).
 */
public class AnsibleSideBySide {

    static final String[] TOOLS = { "apt-get", "apt-mark", "dpkg-query", "nvidia-smi", "systemctl", "waveline-shell" };

    record Host(String name, Path bin, Path state, int port, int installSeconds) {
    }

    /**
     * {@code WAVELINE_BENCH_SMI_SECONDS}: how long every nvidia-smi of the stand-in takes, as on nodes with many GPUs
     * (unset: at once). Both tools pay it wherever they ask nvidia-smi.
     */
    static final String SMI_SECONDS = smiSeconds();

    static String smiSeconds() {
        String value = System.getenv("WAVELINE_BENCH_SMI_SECONDS");
        if (value == null || value.isBlank()) {
            return null;
        }
        if (!value.matches("[0-9]{1,3}(\\.[0-9]{1,3})?")) {
            throw new IllegalArgumentException("WAVELINE_BENCH_SMI_SECONDS=" + value + ": seconds, such as 2 or 0.5");
        }
        return value;
    }

    /**
     * {@code WAVELINE_BENCH_CANARY=1}: a canary first, as rollouts usually go: Waveline's plan has a wave of one node
     * before the rest, Ansible's {@code serial} is {@code [1, N]}, and the lower bound has the first host alone first.
     */
    static final boolean CANARY = System.getenv("WAVELINE_BENCH_CANARY") != null;

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 20, args.length > 1 ? Integer.parseInt(args[1]) : 4);
    }

    static void run(int count, int window) throws Exception {
        for (String tool : List.of("/usr/sbin/sshd", "/usr/bin/ssh-keygen", "/usr/bin/ansible-playbook")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new IllegalStateException(tool + " is missing: apt-get install openssh-server ansible-core");
            }
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IllegalStateException("the loopback sshd servers need root (they change to the logged-in user)");
        }
        Path dir = Files.createTempDirectory("waveline-bench-ansible");
        Path clientKey = dir.resolve("client_ed25519");
        exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString());
        Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
        Files.createDirectories(Path.of("/run/sshd"));
        List<Host> hosts = new ArrayList<>();
        List<Process> servers = new ArrayList<>();
        java.util.Set<Integer> ports = new java.util.HashSet<>();
        StringBuilder known = new StringBuilder();
        try {
            for (int i = 0; i < count; i++) {
                String name = String.format("lb-%02d", i + 1);
                Path bin = Files.createDirectories(dir.resolve(name).resolve("bin"));
                Path state = Files.createDirectories(dir.resolve(name).resolve("state"));
                for (String tool : TOOLS) {
                    Files.copy(Path.of("src/test/resources/ansible-standin", tool), bin.resolve(tool));
                    Files.setPosixFilePermissions(bin.resolve(tool), PosixFilePermissions.fromString("rwxr-xr-x"));
                }
                // a port no other host of this run has: a free port is only free until some server binds it
                int port = RolloutBenchmark.freePort();
                while (ports.contains(port)) {
                    port = RolloutBenchmark.freePort();
                }
                ports.add(port);
                Host host = new Host(name, bin, state, port, 1 + i % 3);
                hosts.add(host);
                // each host its own host key, as real hosts have: a command sent to the wrong host is refused by known_hosts
                Path hostKey = dir.resolve(name).resolve("host_ed25519");
                exec("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
                servers.add(sshd(dir.resolve(name), host, hostKey, dir.resolve("authorized_keys")));
                known.append("[127.0.0.1]:").append(port).append(' ')
                        .append(Files.readString(dir.resolve(name).resolve("host_ed25519.pub")));
            }
            Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, known);
            for (int i = 0; i < hosts.size(); i++) {
                awaitPort(hosts.get(i).port());
            }
            for (int i = 0; i < hosts.size(); i++) {
                if (!servers.get(i).isAlive()) { // another program took its port meanwhile
                    throw new IllegalStateException("the sshd of " + hosts.get(i).name() + " exited: "
                            + Files.readString(dir.resolve(hosts.get(i).name()).resolve("sshd.log")).strip());
                }
            }
            double bound = lowerBound(hosts, window);

            double[] waveline = waveline(dir, hosts, window, clientKey, knownHosts);
            System.out.printf("Waveline: %.1f s, and %.1f s for the same service's next rollout, lower bound %.0f s (service log %s)%n",
                    waveline[0], waveline[1], bound, dir.resolve("service.log"));

            if (System.getenv("WAVELINE_BENCH_WAVELINE_ONLY") != null) {
                System.out.println("WAVELINE_BENCH_WAVELINE_ONLY is set: ansible-playbook not run");
                return;
            }
            fresh(hosts);
            double ansible = ansible(dir, hosts, window, clientKey, knownHosts);
            check(hosts, "Ansible");
            System.out.printf("Ansible: %.1f s (its output %s)%n", ansible, dir.resolve("ansible.log"));

            System.out.println();
            System.out.printf("%d loopback OpenSSH hosts, install 1-3 s, reboot 1 s, %s%s%d at a time; sliding-window lower bound %.0f s%n",
                    count, SMI_SECONDS == null ? "" : "every nvidia-smi " + SMI_SECONDS + " s, ", CANARY ? "a canary first, then " : "",
                    window, bound);
            System.out.println("| tool | wall time | × lower bound |");
            System.out.println("| --- | --- | --- |");
            System.out.printf("| Waveline, ssh method, %smaxUnavailable: %d, a fresh service's first rollout | %.1f s | %.2f |%n",
                    CANARY ? "a canary wave of 1, " : "", window,
                    waveline[0], waveline[0] / bound);
            System.out.printf("| Waveline, the same service's next rollout | %.1f s | %.2f |%n", waveline[1], waveline[1] / bound);
            System.out.printf("| ansible-playbook upgrade.yml, serial: %s | %.1f s | %.2f |%n", CANARY ? "[1, " + window + "]" : window,
                    ansible, ansible / bound);
            System.out.printf("Waveline : Ansible = %.2f for the first rollout, %.2f for the next (goal ≤ 0.30; at the lower bound"
                    + " %.2f)%n", waveline[0] / ansible, waveline[1] / ansible, bound / ansible);
            double floor = anyOrderFloor(hosts, window);
            System.out.printf("In any order of the hosts and with no overhead at all, no tool can finish under %.2f s (the hosts'"
                    + " time out of service over %d slots, or the longest host); 0.30 × this Ansible run is %.2f s: %s%n", floor,
                    window, 0.30 * ansible, 0.30 * ansible >= floor ? "within reach" : "out of reach for any tool in this run");
        } finally {
            servers.forEach(Process::destroy);
        }
    }

    /** One sshd for {@code host}: its ForceCommand sends every command through the host's stand-ins. */
    static Process sshd(Path dir, Host host, Path hostKey, Path authorizedKeys) throws IOException {
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n", "Port " + host.port(), "ListenAddress 127.0.0.1", "HostKey " + hostKey,
                "AuthorizedKeysFile " + authorizedKeys, "PermitRootLogin prohibit-password", "PasswordAuthentication no",
                "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no", "MaxStartups 100", "MaxSessions 100",
                // root's shell here is bash, which reads ~/.bashrc for every command over SSH unless it is a nested shell
                // (on this machine that runs pyenv's init, 0.12 s a command); a host's automation login does not
                "SetEnv SHLVL=1",
                "PidFile " + dir.resolve("sshd.pid"), "ForceCommand " + host.bin().resolve("waveline-shell") + " " + host.state() + " "
                        + host.bin(), ""));
        return new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sshd.log").toFile()).start();
    }

    /** Every host on 550.127.05 again, with a new boot id, its install time, a 1 s reboot and no jobs. */
    static void fresh(List<Host> hosts) throws IOException {
        for (Host host : hosts) {
            try (var files = Files.walk(host.state())) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    if (!f.equals(host.state())) {
                        Files.delete(f);
                    }
                }
            }
            Files.writeString(host.state().resolve("pkg-nvidia-driver-550"), "550.127.05-1\n");
            Files.writeString(host.state().resolve("pkg-nvidia-fabricmanager-550"), "550.127.05-1\n");
            Files.writeString(host.state().resolve("boot_id"), UUID.randomUUID() + "\n");
            Files.writeString(host.state().resolve("install-seconds"), host.installSeconds() + "\n");
            Files.writeString(host.state().resolve("reboot-seconds"), "1\n");
            if (SMI_SECONDS != null) {
                Files.writeString(host.state().resolve("smi-seconds"), SMI_SECONDS + "\n");
            }
        }
    }

    static void check(List<Host> hosts, String tool) throws IOException {
        for (Host host : hosts) {
            Path upgraded = host.state().resolve("pkg-nvidia-driver-570");
            if (!Files.exists(upgraded) || !Files.readString(upgraded).strip().equals("570.133.20-1")) {
                throw new IllegalStateException(tool + " did not upgrade " + host.name());
            }
        }
    }

    /**
     * Each host's time out of service (install + reboot, and one nvidia-smi where it takes time), started in host order
     * as soon as one of {@code window} slots is free: what a sliding window with no overhead needs.
     */
    static double lowerBound(List<Host> hosts, int window) {
        PriorityQueue<Double> ends = new PriorityQueue<>();
        double canary = CANARY ? outOfService(hosts.get(0)) : 0;
        double last = canary;
        for (Host host : CANARY ? hosts.subList(1, hosts.size()) : hosts) {
            double start = ends.size() < window ? canary : ends.poll();
            double end = start + outOfService(host);
            ends.add(end);
            last = Math.max(last, end);
        }
        return last;
    }

    /**
     * A host's time out of service with no overhead: install, reboot, and where nvidia-smi takes time, the one check
     * after the reboot that neither tool can skip.
     */
    static double outOfService(Host host) {
        return host.installSeconds() + 1 + (SMI_SECONDS == null ? 0 : Double.parseDouble(SMI_SECONDS));
    }

    /**
     * The shortest makespan any tool could have, whatever order it takes the hosts in and with no overhead: the hosts'
     * time out of service shared evenly over {@code window} slots, or the longest single host where that is more.
     */
    static double anyOrderFloor(List<Host> hosts, int window) {
        if (CANARY) { // the canary could be the quickest host
            Host quickest = hosts.stream().min(java.util.Comparator.comparingDouble(AnsibleSideBySide::outOfService)).orElseThrow();
            List<Host> rest = new ArrayList<>(hosts);
            rest.remove(quickest);
            return outOfService(quickest) + (rest.isEmpty() ? 0 : evenly(rest, window));
        }
        return evenly(hosts, window);
    }

    /** The hosts' time out of service shared evenly over {@code window} slots, or the longest host where that is more. */
    static double evenly(List<Host> hosts, int window) {
        double total = 0;
        double longest = 0;
        for (Host host : hosts) {
            double out = outOfService(host);
            total += out;
            longest = Math.max(longest, out);
        }
        return Math.max(total / Math.min(window, hosts.size()), longest);
    }

    /**
     * Two rollouts of the same plan on one service, the hosts made fresh before each: the first one of a new JVM (its
     * code not compiled yet, sshj's first connections) and the next, as a service that has run a rollout before runs it.
     */
    static double[] waveline(Path dir, List<Host> hosts, int window, Path key, Path knownHosts) throws Exception {
        StringBuilder inventory = new StringBuilder("nodes:\n");
        for (Host host : hosts) {
            inventory.append("  - name: ").append(host.name()).append("\n    address: 127.0.0.1\n    port: ").append(host.port())
                    .append("\n    user: root\n    labels: {pool: loopback}\n")
                    .append("    gpu: {vendor: nvidia, model: H100-SXM5-80GB, count: 2, nvswitch: false}\n")
                    .append("    versions: {nvidia-driver: 550.127.05, nvidia-fabricmanager: 550.127.05}\n");
        }
        Path inventoryFile = dir.resolve("inventory.yaml");
        Files.writeString(inventoryFile, inventory);
        int port = RolloutBenchmark.freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.profile=demo", "-Dquarkus.http.port=" + port, "-Dwaveline.data-dir=" + dir.resolve("waveline"),
                "-Dwaveline.embedded-db.port=" + RolloutBenchmark.freePort(), "-Dwaveline.sim.enabled=false",
                "-Dwaveline.inventory.static-file=" + inventoryFile, "-Dwaveline.ssh.private-key=" + key,
                "-Dwaveline.ssh.known-hosts=" + knownHosts, "-Dwaveline.engine.poll-interval=0.25s", "-Dwaveline.engine.retry-base=0s",
                "-Dwaveline.demo-token=" + RolloutBenchmark.TOKEN, "-Dquarkus.log.level=WARN"));
        // here the service runs with the JVM's defaults unless WAVELINE_BENCH_JAVA_OPTS is set (the figures of earlier days did)
        String options = System.getenv().getOrDefault("WAVELINE_BENCH_JAVA_OPTS", "").trim();
        if (!options.isEmpty()) {
            command.addAll(List.of(options.split("\\s+")));
        }
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        Process service = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("service.log").toFile()).start();
        try {
            String base = "http://localhost:" + port;
            RolloutBenchmark.waitUp(base);
            String plan = """
                    apiVersion: waveline/v1
                    kind: RolloutPlan
                    metadata:
                      name: side-by-side
                    spec:
                      target:
                        selector: "pool=loopback"
                        components:
                          nvidia-driver: "570.133.20"
                          nvidia-fabricmanager: "570.133.20"
                      method:
                        type: ssh
                      waves:
                    %s
                      limits:
                        maxUnavailable: %d
                    """.formatted(CANARY ? "    - name: canary\n      size: 1\n    - name: rest\n      size: rest"
                    : "    - name: all\n      size: rest", window);
            double[] makespans = new double[2];
            for (int round = 0; round < makespans.length; round++) {
                fresh(hosts);
                System.out.println(round == 0 ? "  the service's first rollout:" : "  the same service's next rollout:");
                double cpuBefore = cpuSeconds(service.pid());
                long machineBefore = machineTicks();
                Map<String, Double> threadsBefore = threadSeconds(service.pid());
                makespans[round] = rollout(base, plan, hosts, dir);
                System.out.printf("  CPU during the rollout: the service %.1f s, the whole machine %.1f s (of %.1f s on %d cores)%n",
                        cpuSeconds(service.pid()) - cpuBefore, (machineTicks() - machineBefore) / 100.0, makespans[round],
                        Runtime.getRuntime().availableProcessors());
                Map<String, Double> spent = new java.util.TreeMap<>();
                threadSeconds(service.pid()).forEach((thread, seconds) -> spent.put(thread, seconds - threadsBefore.getOrDefault(thread, 0.0)));
                System.out.println("  the service's threads, CPU seconds during the rollout: " + spent.entrySet().stream()
                        .filter(e -> e.getValue() >= 0.05).sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                        .map(e -> String.format("%s %.2f", e.getKey(), e.getValue())).collect(java.util.stream.Collectors.joining(", ")));
            }
            return makespans;
        } finally {
            service.destroy();
            service.waitFor();
        }
    }

    /** One rollout of {@code plan}, its events and lanes printed; answers its makespan in seconds. */
    static double rollout(String base, String plan, List<Host> hosts, Path dir) throws Exception {
        long posted = System.nanoTime();
        long id = RolloutBenchmark.send(base, "/api/v1/rollouts", RolloutBenchmark.JSON.writeValueAsString(Map.of("planYaml", plan)),
                "application/json").get("id").asLong();
        System.out.printf("  POST /api/v1/rollouts answered in %.2f s%n", (System.nanoTime() - posted) / 1e9);
        Instant begin = Instant.now();
        JsonNode rollout;
        while (true) {
            Thread.sleep(250);
            rollout = RolloutBenchmark.get(base, "/api/v1/rollouts/" + id);
            if (List.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED").contains(rollout.path("state").asText())) {
                break;
            }
            if (Duration.between(begin, Instant.now()).toMinutes() > 10) {
                throw new IllegalStateException("the Waveline rollout did not finish in 10 minutes (" + dir.resolve("service.log") + ")");
            }
        }
        if (!rollout.path("state").asText().equals("SUCCEEDED")) {
            throw new IllegalStateException("the Waveline rollout ended " + rollout.path("state").asText() + ": " + rollout.path("failures"));
        }
        Instant created = Instant.parse(rollout.get("createdAt").asText());
        System.out.println("  Waveline's events for " + hosts.get(0).name() + " and the rollout's, from its creation:");
        JsonNode events = RolloutBenchmark.get(base, "/api/v1/rollouts/" + id + "/events?limit=10000");
        phases(events);
        long cordons = 0;
        long ahead = 0;
        for (JsonNode event : events) {
            if (event.path("kind").asText().equals("node.cordoned")) {
                cordons++;
                ahead += event.path("message").asText().contains(" ahead, while the node waited in line") ? 1 : 0;
            }
        }
        System.out.printf("  first looks with the GPU baseline read ahead (waveline.engine.look-ahead): %d of %d nodes%n", ahead,
                cordons);
        lanes(events, created);
        for (JsonNode event : events) {
            if (event.path("node").isMissingNode() || event.path("node").isNull() || event.path("node").asText().equals(hosts.get(0).name())) {
                String message = event.path("message").asText();
                System.out.printf("    +%6.2f s  %-22s %s%n", Duration.between(created, Instant.parse(event.get("at").asText())).toMillis()
                        / 1000.0, event.get("kind").asText(), message.length() > 100 ? message.substring(0, 100) : message);
            }
        }
        try {
            check(hosts, "Waveline");
        } catch (IllegalStateException e) {
            for (JsonNode event : events) {
                if (e.getMessage().endsWith(" " + event.path("node").asText("-"))) {
                    System.out.printf("    %s %-22s %s%n", event.get("at").asText(), event.get("kind").asText(),
                            event.path("message").asText());
                }
            }
            throw e;
        }
        return Duration.between(created, Instant.parse(rollout.get("finishedAt").asText())).toMillis() / 1000.0;
    }

    /** Each node's first and last event from the rollout's creation: when the window's slots were taken and given back. */
    static void lanes(JsonNode events, Instant created) {
        Map<String, double[]> spans = new java.util.TreeMap<>();
        for (JsonNode event : events) {
            String node = event.path("node").asText("");
            if (node.isEmpty() || !event.get("kind").asText().startsWith("node.")) {
                continue;
            }
            double at = Duration.between(created, Instant.parse(event.get("at").asText())).toMillis() / 1000.0;
            double[] span = spans.computeIfAbsent(node, k -> new double[] {at, at});
            span[1] = at;
        }
        System.out.println("  each node from node.started to its last event (seconds from the rollout's creation):");
        spans.entrySet().stream().sorted(Map.Entry.comparingByValue(java.util.Comparator.comparingDouble(s -> s[0])))
                .forEach(e -> System.out.printf("    %-8s %6.2f -> %6.2f  (%5.2f s)%n", e.getKey(), e.getValue()[0], e.getValue()[1],
                        e.getValue()[1] - e.getValue()[0]));
    }

    /** The mean time from each kind of node event to the next event of the same node, over all nodes: where a node's time goes. */
    static void phases(JsonNode events) {
        Map<String, Instant> last = new java.util.HashMap<>();
        Map<String, String> lastKind = new java.util.HashMap<>();
        Map<String, double[]> sums = new java.util.LinkedHashMap<>();
        for (JsonNode event : events) {
            String node = event.path("node").asText("");
            if (node.isEmpty() || !event.get("kind").asText().startsWith("node.")) {
                continue;
            }
            Instant at = Instant.parse(event.get("at").asText());
            if (last.containsKey(node)) {
                double[] sum = sums.computeIfAbsent(lastKind.get(node) + " -> " + event.get("kind").asText(), k -> new double[2]);
                sum[0] += Duration.between(last.get(node), at).toMillis() / 1000.0;
                sum[1]++;
            }
            last.put(node, at);
            lastKind.put(node, event.get("kind").asText());
        }
        System.out.println("  mean time between a node's events, over all nodes:");
        sums.forEach((step, sum) -> System.out.printf("    %-52s %6.2f s  (%d nodes)%n", step, sum[0] / sum[1], (int) sum[1]));
    }

    static double ansible(Path dir, List<Host> hosts, int window, Path key, Path knownHosts) throws Exception {
        StringBuilder inventory = new StringBuilder("[gpu_nodes]\n");
        for (Host host : hosts) {
            Path bin = host.bin();
            inventory.append(host.name()).append(" ansible_host=127.0.0.1 ansible_port=").append(host.port())
                    .append(" nvidia_apt_get=").append(bin.resolve("apt-get")).append(" nvidia_apt_mark=").append(bin.resolve("apt-mark"))
                    .append(" nvidia_dpkg_query=").append(bin.resolve("dpkg-query")).append(" nvidia_smi=").append(bin.resolve("nvidia-smi"))
                    .append(" nvidia_systemctl=").append(bin.resolve("systemctl")).append('\n');
        }
        inventory.append("\n[gpu_nodes:vars]\nansible_user=root\nansible_ssh_private_key_file=").append(key)
                .append("\nansible_ssh_common_args='-o UserKnownHostsFile=").append(knownHosts).append(" -o StrictHostKeyChecking=yes'\n");
        Path inventoryFile = dir.resolve("ansible-inventory.ini");
        Files.writeString(inventoryFile, inventory);
        ProcessBuilder playbook = new ProcessBuilder("ansible-playbook", "-i", inventoryFile.toString(), "upgrade.yml", "-e",
                "nvidia_driver_version=570.133.20", "-e", "nvidia_fabricmanager_version=570.133.20", "-e", CANARY ? "{\"nvidia_serial\": [1, " + window + "]}"
                        : "nvidia_serial=" + window)
                .directory(Path.of("ansible").toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("ansible.log").toFile());
        playbook.environment().put("ANSIBLE_CONFIG", Path.of("ansible/ansible.cfg").toAbsolutePath().toString());
        long begin = System.nanoTime();
        long machineBefore = machineTicks();
        int rc = playbook.start().waitFor();
        double seconds = (System.nanoTime() - begin) / 1e9;
        System.out.printf("  CPU during the playbook: the whole machine %.1f s (of %.1f s on %d cores)%n",
                (machineTicks() - machineBefore) / 100.0, seconds, Runtime.getRuntime().availableProcessors());
        if (rc != 0) {
            throw new IllegalStateException("ansible-playbook exited " + rc + ": see " + dir.resolve("ansible.log"));
        }
        return seconds;
    }

    /** User and system CPU seconds of process {@code pid} so far (/proc/PID/stat, at 100 ticks a second). */
    static double cpuSeconds(long pid) {
        try {
            return statSeconds(Path.of("/proc/" + pid + "/stat"));
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /** CPU seconds of each thread of process {@code pid} so far, by thread name with its number left out ({@code rollout-step}). */
    static Map<String, Double> threadSeconds(long pid) {
        Map<String, Double> seconds = new java.util.HashMap<>();
        try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
            for (Path task : tasks.toList()) {
                try {
                    String name = Files.readString(task.resolve("comm")).strip().replaceAll("[-#:]?[0-9]+$", "");
                    seconds.merge(name, statSeconds(task.resolve("stat")), Double::sum);
                } catch (IOException | RuntimeException e) {
                    // the thread ended meanwhile
                }
            }
        } catch (IOException e) {
            return seconds;
        }
        return seconds;
    }

    /** User and system CPU seconds in a /proc stat file (a process's or a thread's). */
    static double statSeconds(Path stat) throws IOException {
        String text = Files.readString(stat);
        String[] fields = text.substring(text.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
    }

    /** Busy CPU ticks of the whole machine so far (/proc/stat: all but idle and iowait). */
    static long machineTicks() {
        try {
            String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(cpu.length, 9); i++) {
                busy += i == 4 || i == 5 ? 0 : Long.parseLong(cpu[i]);
            }
            return busy;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    static void awaitPort(int port) throws Exception {
        for (int i = 0; i < 200; i++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("sshd on port " + port + " did not start");
    }

    static void exec(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }
}
