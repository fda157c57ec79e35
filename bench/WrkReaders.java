import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * Readers driven by <a href="https://github.com/wg/wrk">wrk</a> (Debian package {@code wrk}), when it is on the PATH:
 * one thread of C with an event loop carries the fifty connections, so the readers take a few percent of a core
 * instead of the JDK client's (fifty threads, a selector thread and a pool in the bench's own JVM, which at 1,500
 * requests a second took a core of the two and counted its own queueing as the service's latency). Each connection
 * is a reader: HTTP/1.1, kept alive, one request at a time; with a pause, it waits that long after each answer
 * before the next request (wrk's {@code delay()}), as a dashboard polling would, and the pause is not counted in the
 * latency (wrk starts the clock when it writes the request).
 */
final class WrkReaders {

    private WrkReaders() {
    }

    /** Whether wrk can be run here ({@code WAVELINE_BENCH_READER=jdk} asks for the JDK client instead). */
    static boolean available() {
        if ("jdk".equals(System.getenv("WAVELINE_BENCH_READER"))) {
            return false;
        }
        try {
            return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor() <= 1;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code connections} readers GET {@code url} for {@code duration}; answers their figures. */
    static String read(String url, String token, int connections, long pauseMillis, Duration duration) throws Exception {
        Process wrk = start(url, token, connections, pauseMillis, duration.toSeconds());
        return figures(wrk).toString();
    }

    /**
     * The same, until {@code over} is set, one wrk after another for {@code WAVELINE_BENCH_READ_SLICES} seconds each
     * (default 5; each opens its connections again; the last is interrupted with SIGINT and prints what it measured so
     * far). Answers all slices' figures together, the first slice's (while the JVM is still compiling the code the
     * rollout runs), the later slices' together, and each slice's, to show when in the run the slow answers came.
     */
    static String readUntil(String url, String token, int connections, long pauseMillis,
            java.util.concurrent.atomic.AtomicBoolean over) throws Exception {
        String slice = System.getenv().getOrDefault("WAVELINE_BENCH_READ_SLICES", "5").trim();
        List<Reads> slices = new ArrayList<>();
        while (!over.get()) {
            slices.add(until(url, token, connections, pauseMillis, Long.parseLong(slice), over));
        }
        Reads later = slices.stream().skip(1).reduce(Reads.NONE, Reads::and);
        StringBuilder each = new StringBuilder();
        for (Reads one : slices) {
            each.append(String.format("%n    %d s slice: %s", Long.parseLong(slice), one.brief()));
        }
        return String.format("%s%n    the first %s s: %s%n    from then on: %s%s", slices.stream().reduce(Reads.NONE, Reads::and), slice,
                slices.isEmpty() ? "none" : slices.get(0).brief(), later.brief(), each);
    }

    private static Reads until(String url, String token, int connections, long pauseMillis, long seconds,
            java.util.concurrent.atomic.AtomicBoolean over) throws Exception {
        Process wrk = start(url, token, connections, pauseMillis, seconds);
        while (!over.get() && wrk.isAlive()) {
            Thread.sleep(100);
        }
        if (wrk.isAlive()) {
            new ProcessBuilder("kill", "-INT", Long.toString(wrk.pid())).start().waitFor();
        }
        return figures(wrk);
    }

    private static Process start(String url, String token, int connections, long pauseMillis, long seconds) throws IOException {
        Path script = Files.createTempFile("waveline-wrk", ".lua");
        script.toFile().deleteOnExit();
        Files.writeString(script, "wrk.headers[\"Authorization\"] = \"Bearer " + token + "\"\n"
                + (pauseMillis > 0 ? "function delay() return " + pauseMillis + " end\n" : "")
                + "done = function(summary, latency, requests)\n"
                + "  local e = summary.errors\n"
                + "  io.write(string.format(\"WAVELINE-READS %d %d %d %d\\n\", summary.requests, summary.duration, summary.bytes,"
                + " e.status + e.connect + e.read + e.write + e.timeout))\n"
                + "  io.write(\"WAVELINE-LATENCY\")\n" // every latency seen (microseconds) with its count, so that runs add up
                + "  for i = 1, #latency do local v, c = latency(i); io.write(string.format(\" %d:%d\", v, c)) end\n"
                + "  io.write(\"\\n\")\n"
                + "end\n", StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>();
        String nice = System.getenv("WAVELINE_BENCH_READER_NICE"); // e.g. -10: readers as if on another machine (root only)
        if (nice != null && !nice.isBlank()) {
            command.addAll(List.of("nice", "-n", nice.trim()));
        }
        command.addAll(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "10s", "-s", script.toString(), url));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** What one wrk run measured. */
    private static Reads figures(Process wrk) throws Exception {
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        List<String> line = List.of();
        TreeMap<Long, Long> latencies = new TreeMap<>();
        for (String l : output.split("\n")) {
            if (l.startsWith("WAVELINE-READS ")) {
                line = List.of(l.substring("WAVELINE-READS ".length()).trim().split(" "));
            } else if (l.startsWith("WAVELINE-LATENCY")) {
                for (String pair : l.substring("WAVELINE-LATENCY".length()).trim().split(" ")) {
                    if (!pair.isEmpty()) {
                        String[] valueCount = pair.split(":");
                        latencies.merge(Long.parseLong(valueCount[0]), Long.parseLong(valueCount[1]), Long::sum);
                    }
                }
            }
        }
        if (line.size() != 4) {
            throw new IllegalStateException("wrk failed: " + output.strip());
        }
        return new Reads(latencies, Long.parseLong(line.get(0)), Long.parseLong(line.get(1)), Long.parseLong(line.get(2)),
                Long.parseLong(line.get(3)));
    }

    /**
     * Reads measured by one or more wrk runs: every latency seen (microseconds) with how many answers took it, the
     * requests, the time they took (microseconds), the bytes answered (headers included) and the errors.
     */
    record Reads(NavigableMap<Long, Long> latencies, long requests, long micros, long bytes, long errors) {

        static final Reads NONE = new Reads(new TreeMap<>(), 0, 0, 0, 0);

        Reads and(Reads other) {
            TreeMap<Long, Long> both = new TreeMap<>(latencies);
            other.latencies.forEach((value, count) -> both.merge(value, count, Long::sum));
            return new Reads(both, requests + other.requests, micros + other.micros, bytes + other.bytes, errors + other.errors);
        }

        /** The latency in milliseconds that {@code percent} % of the answers took at most. */
        double percentile(double percent) {
            long total = latencies.values().stream().mapToLong(Long::longValue).sum();
            long seen = 0;
            for (Map.Entry<Long, Long> latency : latencies.entrySet()) {
                seen += latency.getValue();
                if (seen >= Math.ceil(total * percent / 100)) {
                    return latency.getKey() / 1e3;
                }
            }
            return 0;
        }

        /** p50, p99 and the slowest. */
        String brief() {
            return requests == 0 ? "no reads" : String.format("p50 %.1f ms, p99 %.1f ms, slowest %.1f ms (%d reads)", percentile(50),
                    percentile(99), percentile(100), requests);
        }

        @Override
        public String toString() {
            return String.format("p50 %.1f ms, p99 %.1f ms, slowest %.1f ms, %.0f requests/s (%d in all), %d bytes each with headers,"
                    + " %d errors (wrk, one thread, kept-alive HTTP/1.1 connections)", percentile(50), percentile(99), percentile(100),
                    micros == 0 ? 0 : requests / (micros / 1e6), requests, requests == 0 ? 0 : bytes / requests, errors);
        }
    }
}
