import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs complete rollouts on simulated fleets against the packaged service and prints figures: makespan, the
 * plan's lower bound (the preview's sliding-window estimate for the same step durations), node transitions per
 * second, and the engine's overhead per node. Run with bench/run.sh.
 */
public class RolloutBenchmark {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String TOKEN = "bench";

    record Scenario(String title, int nodes, String transport, String install, String reboot, String poll,
            String maxUnavailable, String estimates, boolean watched) {
        Scenario(String title, int nodes, String transport, String install, String reboot, String poll, String maxUnavailable,
                String estimates) {
            this(title, nodes, transport, install, reboot, poll, maxUnavailable, estimates, false);
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("ansible")) {
            AnsibleSideBySide.main(java.util.Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length > 0 && args[0].equals("preview")) {
            preview(args.length > 1 ? Integer.parseInt(args[1]) : 10_000);
            return;
        }
        List<Scenario> scenarios = new ArrayList<>();
        if (args.length > 0 && args[0].equals("engine")) {
            for (int i = 1; i < args.length; i++) {
                scenarios.add(engine(Integer.parseInt(args[i])));
            }
        } else if (args.length > 0 && args[0].equals("watched")) {
            for (int i = 1; i < args.length; i++) {
                Scenario e = engine(Integer.parseInt(args[i]));
                scenarios.add(new Scenario(e.title() + ", 50 dashboards polling the summary every 200 ms", e.nodes(), e.transport(),
                        e.install(), e.reboot(), e.poll(), e.maxUnavailable(), e.estimates(), true));
            }
        } else if (args.length > 0 && args[0].equals("ssh")) {
            scenarios.add(ssh());
        } else {
            scenarios.add(engine(1000));
            scenarios.add(engine(10_000));
            scenarios.add(ssh());
        }
        List<String> rows = new ArrayList<>();
        for (Scenario scenario : scenarios) {
            rows.add(run(scenario));
        }
        System.out.println();
        System.out.println("| scenario | nodes | makespan | lower bound | node transitions/s | overhead per node |");
        System.out.println("| --- | --- | --- | --- | --- | --- |");
        rows.forEach(System.out::println);
    }

    /** {@code nodes} nodes, zero-duration steps, the in-process transport: the engine's own cost. */
    static Scenario engine(int nodes) {
        return new Scenario(String.format("%,d nodes, zero-duration steps, no SSH", nodes), nodes, "in-process", "0s", "0s", "0s", "10%",
                "drain: 0s\n    upgrade: 0s\n    reboot: 0s\n    validation: 1s");
    }

    static Scenario ssh() {
        return new Scenario("50 nodes over SSH, install 2s, reboot 3s", 50, "ssh", "2s", "3s", "0.25s", "10",
                "drain: 0s\n    upgrade: 2s\n    reboot: 3s\n    validation: 0s");
    }

    /**
     * The JVM options deploy/deployment.yaml and the image set: the engine's and the JIT compiler's threads at nice 10,
     * so that the API's are served first when a rollout keeps the cores busy (docs/configuration.md).
     */
    static final String PRIORITY_FLAGS = "-XX:ThreadPriorityPolicy=1 -XX:JavaPriority1_To_OSPriority=10 -XX:CompilerThreadPriority=10";

    /**
     * The heap deploy/deployment.yaml gives the service: {@code -XX:MaxRAMPercentage=75} of its 1Gi memory limit. Outside a
     * container that percentage would be of this machine's memory, so the bench names the size.
     */
    static final String DEPLOYED_HEAP = "-Xmx768m";

    /** The service's JVM options: as deployed (heap and priorities); {@code WAVELINE_BENCH_JAVA_OPTS}, even empty, replaces them. */
    static String javaOptions() {
        return System.getenv().getOrDefault("WAVELINE_BENCH_JAVA_OPTS", DEPLOYED_HEAP + " " + PRIORITY_FLAGS).trim();
    }

    /** The packaged service on the scenario's simulated fleet. */
    static Process start(Path dir, Path fleet, Scenario s, int port, int dbPort) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (!javaOptions().isEmpty()) {
            command.addAll(List.of(javaOptions().split("\\s+")));
        }
        command.addAll(List.of("-Dquarkus.profile=demo", "-Dquarkus.http.port=" + port, "-Dwaveline.data-dir=" + dir,
                "-Dwaveline.embedded-db.port=" + dbPort,
                "-Dwaveline.sim.fleet=" + fleet, "-Dwaveline.sim.transport=" + s.transport(),
                "-Dwaveline.sim.install-duration=" + s.install(), "-Dwaveline.sim.reboot-duration=" + s.reboot(),
                "-Dwaveline.sim.state-dir=", "-Dwaveline.sim.faults=0.0.0:gpu-missing",
                "-Dwaveline.engine.poll-interval=" + s.poll(), "-Dwaveline.engine.retry-base=0s",
                "-Dwaveline.demo-token=" + TOKEN, "-Dquarkus.log.level=WARN",
                "-jar", "target/quarkus-app/quarkus-run.jar"));
        System.out.println("  service log: " + dir.resolve("service.log"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("service.log").toFile()).start();
    }

    /** {@code bench/run.sh preview}: how long the preview of a plan over {@code nodes} nodes takes (POST /api/v1/plans/validate). */
    static void preview(int nodes) throws Exception {
        Path dir = Files.createTempDirectory("waveline-bench");
        Path fleet = fleetFile(dir, nodes);
        Scenario s = new Scenario("preview", nodes, "in-process", "0s", "0s", "0s", "10%", "");
        int port = freePort();
        Process service = start(dir, fleet, s, port, freePort());
        try {
            String base = "http://localhost:" + port;
            waitUp(base);
            String plan = plan("bench-preview", "5%", "");
            List<Double> millis = new ArrayList<>();
            int previewed = 0;
            for (int i = 0; i < 6; i++) {
                long begin = System.nanoTime();
                JsonNode answer = send(base, "/api/v1/plans/validate", plan, "application/yaml");
                millis.add((System.nanoTime() - begin) / 1e6);
                previewed = answer.path("preview").path("waves").isArray() ? answer.get("preview").get("waves").size() : 0;
            }
            List<Double> warm = new ArrayList<>(millis.subList(1, millis.size()));
            java.util.Collections.sort(warm);
            System.out.printf("preview of a plan over %,d nodes (%d waves): first %.0f ms, then median %.0f ms, slowest %.0f ms%n", nodes,
                    previewed, millis.get(0), warm.get(warm.size() / 2), warm.get(warm.size() - 1));
        } finally {
            service.destroy();
            service.waitFor();
        }
    }

    /** The benchmark's plan over pool=bench: a canary, 10 %, the rest; {@code estimates} (YAML lines) when not empty. */
    static String plan(String name, String maxUnavailable, String estimates) {
        return """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: %s
                spec:
                  target:
                    selector: "pool=bench"
                    components:
                      nvidia-driver: "570.133.20"
                      nvidia-fabricmanager: "570.133.20"
                  waves:
                    - name: canary
                      size: 1
                    - name: staged
                      size: "10%%"
                    - name: fleet
                      size: rest
                  limits:
                    maxUnavailable: "%s"
                """.formatted(name, maxUnavailable) + (estimates.isEmpty() ? "" : "  estimates:\n    " + estimates + "\n");
    }

    static Path fleetFile(Path dir, int nodes) throws IOException {
        Path fleet = dir.resolve("fleet.yaml");
        Files.writeString(fleet, """
                groups:
                  - name: gpu
                    count: %d
                    racks: [r01, r02, r03, r04, r05, r06, r07, r08, r09, r10]
                    labels: {pool: bench}
                    gpu: {vendor: nvidia, model: H100-SXM5-80GB, count: 8, nvswitch: true}
                    versions: {nvidia-driver: 550.127.05, nvidia-fabricmanager: 550.127.05}
                """.formatted(nodes));
        return fleet;
    }

    static String run(Scenario s) throws Exception {
        Path dir = Files.createTempDirectory("waveline-bench");
        Path fleet = fleetFile(dir, s.nodes());
        int port = freePort();
        int dbPort = freePort();
        Process service = start(dir, fleet, s, port, dbPort);
        try {
            String base = "http://localhost:" + port;
            waitUp(base);
            String plan = plan("bench", s.maxUnavailable(), s.estimates());
            JsonNode preview = send(base, "/api/v1/plans/validate", plan, "application/yaml").get("preview");
            long lowerBound = preview.get("estimatedDurationSeconds").asLong();
            if (s.estimates().contains("validation: 1s")) {
                lowerBound = 0;
            }
            double commitsBefore = s.nodes() >= 1000 ? commitRate(dbPort) : 0;
            Instant begin = Instant.now();
            long id = send(base, "/api/v1/rollouts", JSON.writeValueAsString(Map.of("planYaml", plan)), "application/json")
                    .get("id").asLong();
            System.out.printf("  POST /api/v1/rollouts answered in %.2f s%n", Duration.between(begin, Instant.now()).toMillis() / 1000.0);
            java.util.concurrent.atomic.AtomicBoolean over = new java.util.concurrent.atomic.AtomicBoolean();
            boolean wrk = WrkReaders.available();
            String summary = "/api/v1/rollouts/" + id + "?nodes=false";
            java.util.concurrent.CompletableFuture<String> watching = !s.watched() ? null
                    : java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                        try {
                            return wrk ? WrkReaders.readUntil(base + summary, TOKEN, 50, 200, over)
                                    : watch(base, summary, 50, 200, over) + " (JDK client)";
                        } catch (Exception e) {
                            return "failed: " + e;
                        }
                    });
            String state = "RUNNING";
            long peakRss = 0;
            while (!java.util.Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED").contains(state)) {
                Thread.sleep(250);
                state = get(base, summary).path("state").asText();
                peakRss = Math.max(peakRss, rss(service.pid()));
                if (Duration.between(begin, Instant.now()).toMinutes() > 30) {
                    throw new IllegalStateException("rollout " + id + " did not finish in 30 minutes");
                }
            }
            over.set(true);
            if (watching != null) {
                System.out.println("  summary reads while it ran, 50 clients polling every 200 ms: " + watching.get());
            }
            long transitions = 0;
            long after = 0;
            Map<String, Instant[]> nodeSpans = new java.util.HashMap<>();
            Map<String, double[]> gaps = new java.util.LinkedHashMap<>(); // event kind -> {sum of seconds since the node's previous event, count}
            List<String> timeline = new ArrayList<>();
            String canary = null;
            Instant lastNodeEnd = null;
            double betweenWaves = 0;
            while (true) {
                JsonNode page = get(base, "/api/v1/rollouts/" + id + "/events?limit=10000&after=" + after);
                for (JsonNode event : page) {
                    after = event.get("id").asLong();
                    String kind = event.get("kind").asText();
                    Instant at = Instant.parse(event.get("at").asText());
                    if (kind.startsWith("node.")) {
                        transitions++;
                        Instant[] span = nodeSpans.computeIfAbsent(event.get("node").asText(), n -> new Instant[] { at, at });
                        double[] gap = gaps.computeIfAbsent(kind, k -> new double[2]);
                        gap[0] += Duration.between(span[1], at).toMillis() / 1000.0;
                        gap[1]++;
                        span[1] = at;
                        if (kind.equals("node.succeeded")) {
                            lastNodeEnd = lastNodeEnd == null || at.isAfter(lastNodeEnd) ? at : lastNodeEnd;
                        }
                    } else if (kind.equals("wave.running") && lastNodeEnd != null) {
                        betweenWaves += Duration.between(lastNodeEnd, at).toMillis() / 1000.0;
                    }
                    if (canary == null && kind.startsWith("node.")) {
                        canary = event.get("node").asText();
                    }
                    if (s.nodes() <= 100 && (kind.startsWith("wave.") || kind.startsWith("rollout.") || event.path("node").asText().equals(canary))) {
                        timeline.add(String.format("    +%6.2f s  %-22s %s", Duration.between(begin, at).toMillis() / 1000.0, kind,
                                event.path("message").asText().length() > 90 ? event.path("message").asText().substring(0, 90)
                                        : event.path("message").asText()));
                    }
                }
                if (page.size() < 10000) {
                    break;
                }
            }
            double meanNode = nodeSpans.values().stream().mapToLong(span -> Duration.between(span[0], span[1]).toMillis()).average()
                    .orElse(0) / 1000.0;
            JsonNode rollout = get(base, "/api/v1/rollouts/" + id);
            double makespan = Duration.between(Instant.parse(rollout.get("createdAt").asText()),
                    Instant.parse(rollout.get("finishedAt").asText())).toMillis() / 1000.0;
            double perNode = (makespan - lowerBound) / s.nodes();
            System.out.printf("%s: %s in %.1f s (lower bound %d s), %d node transitions, %.0f/s, overhead %.3f s per node;"
                    + " service peak RSS %,d MB (%s the deployment's 1,024 MB memory limit; JVM options: %s)%n", s.title(),
                    rollout.get("state").asText(), makespan, lowerBound, transitions, transitions / makespan, perNode, peakRss / 1024,
                    peakRss / 1024 < 1024 ? "under" : "OVER", javaOptions().isEmpty() ? "none" : javaOptions());
            if (!timeline.isEmpty()) {
                System.out.println("  the canary node's events and the waves', from the rollout's creation:");
                timeline.forEach(System.out::println);
            }
            System.out.printf("  each node from its first event to its last: mean %.2f s; from a wave's last node done to the next"
                    + " wave running: %.2f s in all%n", meanNode, betweenWaves);
            if (s.nodes() <= 100) {
                StringBuilder steps = new StringBuilder("  mean time to each node event from the node's previous one:");
                gaps.forEach((kind, gap) -> steps.append(String.format(" %s %.3f s;", kind.substring("node.".length()), gap[0] / gap[1])));
                System.out.println(steps);
            }
            if (s.nodes() >= 1000) {
                double commitsAfter = commitRate(dbPort);
                double commits = Math.max(commitsBefore, commitsAfter);
                System.out.printf("  single-row commits/s of the same PostgreSQL: %.0f before the rollout, %.0f after; node transitions/s :"
                        + " commits/s (the higher) = %.2f%n", commitsBefore, commitsAfter, transitions / makespan / commits);
                if (wrk) {
                    WrkReaders.read(base + summary, TOKEN, 50, 0, Duration.ofSeconds(3)); // warm-up (JIT), not counted
                    for (int round = 1; round <= 2; round++) {
                        System.out.println("  reads of the finished rollout, round " + round + ", 50 readers back to back for 10 s:"
                                + " summary (?nodes=false) " + WrkReaders.read(base + summary, TOKEN, 50, 0, Duration.ofSeconds(10)));
                    }
                    System.out.println("  reads, 50 readers each polling the summary every 200 ms for 10 s: "
                            + WrkReaders.read(base + summary, TOKEN, 50, 200, Duration.ofSeconds(10)));
                    System.out.println("  reads, 50 readers back to back for 10 s: one page of 200 nodes (/nodes) "
                            + WrkReaders.read(base + "/api/v1/rollouts/" + id + "/nodes", TOKEN, 50, 0, Duration.ofSeconds(10)));
                } else {
                    System.out.println("  (no wrk on the PATH: the readers are the JDK client's, in this JVM; apt-get install wrk)");
                }
                reads(base, summary, 50, 20); // warm-up (JIT) of both ends, not counted
                for (int round = 1; round <= 3; round++) {
                    System.out.println("  reads of the finished rollout, round " + round + ", JDK client, 50 threads x 100 requests back to"
                            + " back: summary (?nodes=false) " + reads(base, summary, 50, 100));
                }
                System.out.println("  reads, JDK client, 50 threads each polling the summary every 200 ms, 40 times: "
                        + reads(base, summary, 50, 40, 200));
                if (!wrk) {
                    System.out.println("  reads, JDK client, 50 threads x 20 requests: one page of 200 nodes (/nodes) "
                            + reads(base, "/api/v1/rollouts/" + id + "/nodes", 50, 20));
                }
                if (s.nodes() <= 2000) {
                    System.out.println("  reads, 10 clients x 3 requests: the full view with every node "
                            + reads(base, "/api/v1/rollouts/" + id + "?nodes=true", 10, 3));
                }
            }
            Path hold = System.getenv("WAVELINE_BENCH_HOLD") == null ? null : Path.of(System.getenv("WAVELINE_BENCH_HOLD"));
            if (hold != null) { // the service stays up for other load generators (wrk, ab) until this file is removed
                Files.writeString(hold, base + "/api/v1/rollouts/" + id + "\n");
                System.out.println("  holding the service at " + base + " (rollout " + id + ", token " + TOKEN + ") until " + hold + " is removed");
                while (Files.exists(hold)) {
                    Thread.sleep(500);
                }
            }
            return String.format("| %s | %d | %.1f s | %d s | %.0f | %.3f s |", s.title(), s.nodes(), makespan, lowerBound,
                    transitions / makespan, perNode);
        } finally {
            service.destroy();
            service.waitFor();
        }
    }

    /** The resident set of process {@code pid} in KB (0 where /proc cannot tell). */
    static long rss(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException e) {
            // gone
        }
        return 0;
    }

    /**
     * Single-row inserts, each its own transaction, into the service's own PostgreSQL (fsync as the service runs it):
     * the median rate of three rounds of 2,000.
     */
    static double commitRate(int dbPort) throws Exception {
        try (java.sql.Connection db = java.sql.DriverManager.getConnection("jdbc:postgresql://localhost:" + dbPort + "/postgres",
                "postgres", "postgres")) {
            db.setAutoCommit(true);
            try (java.sql.Statement ddl = db.createStatement()) {
                ddl.execute("create table if not exists bench_commit (id bigserial primary key, v integer)");
            }
            int rows = 2000;
            List<Double> rates = new ArrayList<>();
            try (java.sql.PreparedStatement insert = db.prepareStatement("insert into bench_commit (v) values (?)")) {
                for (int round = 0; round < 3; round++) {
                    long begin = System.nanoTime();
                    for (int i = 0; i < rows; i++) {
                        insert.setInt(1, i);
                        insert.executeUpdate();
                    }
                    rates.add(rows / ((System.nanoTime() - begin) / 1e9));
                }
            }
            java.util.Collections.sort(rates);
            return rates.get(1); // the median of three rounds: one round alone varies by half on this machine
        }
    }

    /**
     * The readers' client: HTTP/1.1, so that each reader has its own connection, as fifty dashboards (browsers speak
     * HTTP/1.1 without TLS) or fifty CLIs would. The JDK client's default, HTTP/2 upgraded over plain text, sends every
     * reader's request as a stream of one shared connection: one event loop of the service and one selector thread of
     * the client then carry all fifty readers, which measures that connection, not the service.
     */
    static java.net.http.HttpClient dashboards() {
        return java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
    }

    /** {@code clients} threads each GET {@code path} {@code requests} times; answers p50, p99, requests/s and the body size. */
    static String reads(String base, String path, int clients, int requests) throws Exception {
        return reads(base, path, clients, requests, 0);
    }

    /** As above, each client waiting {@code pauseMillis} between its requests (a dashboard polling), when more than 0. */
    static String reads(String base, String path, int clients, int requests, long pauseMillis) throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        List<Long> nanos = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicLong bytes = new java.util.concurrent.atomic.AtomicLong();
        java.net.http.HttpClient client = dashboards();
        long begin = System.nanoTime();
        List<java.util.concurrent.Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            done.add(pool.submit(() -> {
                for (int r = 0; r < requests; r++) {
                    long start = System.nanoTime();
                    java.net.http.HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(
                            java.net.URI.create(base + path)).header("Authorization", "Bearer " + TOKEN).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    nanos.add(System.nanoTime() - start);
                    bytes.set(response.body().length());
                    if (pauseMillis > 0) {
                        Thread.sleep(pauseMillis);
                    }
                }
                return null;
            }));
        }
        for (java.util.concurrent.Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        double seconds = (System.nanoTime() - begin) / 1e9;
        List<Long> sorted = new ArrayList<>(nanos);
        java.util.Collections.sort(sorted);
        return String.format("p50 %.1f ms, p99 %.1f ms, %.0f requests/s, %d bytes each", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1)) / 1e6, sorted.size() / seconds,
                bytes.get());
    }

    /** {@code clients} threads each GET {@code path} every {@code pauseMillis} until {@code over}; answers p50, p99 and the count. */
    static String watch(String base, String path, int clients, long pauseMillis, java.util.concurrent.atomic.AtomicBoolean over)
            throws Exception {
        List<Long> nanos = java.util.Collections.synchronizedList(new ArrayList<>());
        java.net.http.HttpClient client = dashboards();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            Thread thread = new Thread(() -> {
                try {
                    while (!over.get()) {
                        long start = System.nanoTime();
                        client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + path))
                                .header("Authorization", "Bearer " + TOKEN).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                        nanos.add(System.nanoTime() - start);
                        Thread.sleep(pauseMillis);
                    }
                } catch (Exception e) {
                    // the service went away: the figures so far stand
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        List<Long> sorted = new ArrayList<>(nanos);
        java.util.Collections.sort(sorted);
        if (sorted.isEmpty()) {
            return "no answer";
        }
        return String.format("p50 %.1f ms, p99 %.1f ms, %d requests", sorted.get(sorted.size() / 2) / 1e6,
                sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(sorted.size() * 0.99) - 1)) / 1e6, sorted.size());
    }

    static void waitUp(String base) throws Exception {
        for (int i = 0; i < 240; i++) {
            try {
                if (HTTP.send(HttpRequest.newBuilder(URI.create(base + "/q/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("the service did not start");
    }

    static JsonNode get(String base, String path) throws Exception {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    static JsonNode send(String base, String path, String body, String type) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", type)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(path + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
