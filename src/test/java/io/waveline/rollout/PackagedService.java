package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The packaged service ({@code target/quarkus-app/quarkus-run.jar}, demo profile) as a separate process, for the
 * end-to-end suites: started with system properties (and optionally environment, e.g. a faked clock), killed with
 * {@code -9} or stopped gracefully, and talked to over HTTP with a bearer token.
 */
public final class PackagedService implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    final String name;
    /** The HTTP port: the same at every start, unless a start found it taken (then another is picked). */
    public volatile int port;
    final String token;
    private final Path logDir;
    private final Map<String, String> properties;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private Process process;
    private int starts;

    public PackagedService(String name, Path logDir, String token, Map<String, String> properties) throws IOException {
        this.name = name;
        this.port = freePort();
        this.logDir = logDir;
        this.token = token;
        this.properties = new LinkedHashMap<>(properties);
    }

    public PackagedService environment(String key, String value) {
        environment.put(key, value);
        return this;
    }

    /**
     * Starts the process and waits until it answers ready. The port was picked free when this object was made; if
     * another process took it meanwhile (the services' own SSH servers and connections take ports too), the start
     * exits with a bind error and is made again on another port, twice at most. A start that exits early for any
     * other reason fails at once with the end of its log.
     */
    public PackagedService start() throws IOException {
        for (int attempt = 1;; attempt++) {
            launch();
            try {
                await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                        .failFast(name + " exited early", () -> !process.isAlive())
                        .until(() -> get("/q/health/ready").get("status").asText().equals("UP"));
                return this;
            } catch (org.awaitility.core.TerminalFailureException e) {
                String log = log();
                if (attempt < 3 && (log.contains("Address already in use") || log.contains("seems to be in use"))) {
                    port = freePort();
                    continue;
                }
                List<String> lines = log.lines().toList();
                throw new AssertionError(name + " exited early (exit " + process.exitValue() + "); the end of its log ("
                        + logDir + "):\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())), e);
            }
        }
    }

    private void launch() throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx768m", "-Dquarkus.profile=demo", "-Dquarkus.http.port=" + port,
                "-Dwaveline.demo-token=" + token));
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", System.getProperty("waveline.it.jar", "target/quarkus-app/quarkus-run.jar")));
        Files.createDirectories(logDir);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logDir.resolve(name + "-" + (++starts) + ".log").toFile());
        builder.environment().putAll(environment);
        process = builder.start();
    }

    /** {@code kill -9}: no shutdown hook, no lease given up. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** What the process of the latest start wrote (its log). */
    String log() throws IOException {
        return Files.readString(logDir.resolve(name + "-" + starts + ".log"));
    }

    /** SIGTERM and wait: the graceful stop. */
    void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor();
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    JsonNode get(String path) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Authorization", "Bearer " + token).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body());
    }

    public JsonNode post(String path, String body, int expected) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
        return JSON.readTree(response.body());
    }

    /** Starts a rollout of the plan; answers its id. */
    public long startRollout(String planYaml) throws Exception {
        return post("/api/v1/rollouts", JSON.writeValueAsString(Map.of("planYaml", planYaml)), 201).get("id").asLong();
    }

    String state(long rollout) throws Exception {
        return get("/api/v1/rollouts/" + rollout + "?nodes=true").get("state").asText();
    }

    /** Every event of the rollout, in the order followers read them, page after page. */
    List<JsonNode> events(long rollout) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        long after = 0;
        while (true) {
            List<JsonNode> page = new ArrayList<>();
            get("/api/v1/rollouts/" + rollout + "/events?limit=10000&after=" + after).forEach(page::add);
            if (page.isEmpty()) {
                return events;
            }
            events.addAll(page);
            after = page.get(page.size() - 1).get("id").asLong();
        }
    }

    /** A simulated host's stored state ({@code installs}, {@code reboots}, {@code packages}) in the given state dir. */
    static JsonNode simHost(Path stateDir, String node) throws IOException {
        return JSON.readTree(stateDir.resolve(node + ".json").toFile());
    }

    /**
     * A fleet file of {@code groups} groups of {@code perGroup} H100 nodes ({@code gpu-<group>-01}…), labelled
     * {@code pool=<group>}, on driver 550.127.05, with 1 s installs and reboots and the given fault rules.
     */
    static Path fleetFile(Path dir, List<String> groups, int perGroup, List<String> faults) throws IOException {
        StringBuilder yaml = new StringBuilder("groups:\n");
        for (String group : groups) {
            yaml.append("  - name: gpu-").append(group).append("\n    count: ").append(perGroup)
                    .append("\n    racks: [").append(group).append("-r1, ").append(group).append("-r2]\n")
                    .append("    labels: {pool: ").append(group).append("}\n")
                    .append("    gpu: {vendor: nvidia, model: H100-SXM5-80GB, count: 8, nvswitch: true}\n")
                    .append("    versions: {nvidia-driver: 550.127.05, nvidia-fabricmanager: 550.127.05}\n");
        }
        yaml.append("timings:\n  install: 1s\n  reboot: 1s\n");
        if (!faults.isEmpty()) {
            yaml.append("faults:\n");
            for (String fault : faults) {
                String[] parts = fault.split(":");
                yaml.append("  - when: \"").append(parts[0]).append("\"\n    fault: ").append(parts[1]).append('\n');
            }
        }
        Path file = dir.resolve("fleet.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    /** A plan moving {@code pool} to driver 570.133.20: a canary, then the rest, {@code maxUnavailable} at a time. */
    static String plan(String name, String pool, int maxUnavailable) {
        return """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: %s
                spec:
                  target:
                    selector: "pool=%s"
                    components:
                      nvidia-driver: "570.133.20"
                      nvidia-fabricmanager: "570.133.20"
                  waves:
                    - name: canary
                      size: 1
                    - name: rest
                      size: rest
                  limits:
                    maxUnavailable: %d
                """.formatted(name, pool, maxUnavailable);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
