import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

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
        return figures(wrk);
    }

    /** The same, until {@code over} is set: then wrk is interrupted (SIGINT), and prints what it measured so far. */
    static String readUntil(String url, String token, int connections, long pauseMillis,
            java.util.concurrent.atomic.AtomicBoolean over) throws Exception {
        Process wrk = start(url, token, connections, pauseMillis, 3600);
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
                + "  io.write(string.format(\"WAVELINE-READS %d %d %d %d %d %d %d\\n\", latency:percentile(50), latency:percentile(99),"
                + " latency.max, summary.requests, summary.duration, summary.bytes,"
                + " e.status + e.connect + e.read + e.write + e.timeout))\n"
                + "end\n", StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>();
        String nice = System.getenv("WAVELINE_BENCH_READER_NICE"); // e.g. -10: readers as if on another machine (root only)
        if (nice != null && !nice.isBlank()) {
            command.addAll(List.of("nice", "-n", nice.trim()));
        }
        command.addAll(List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "--timeout", "10s", "-s", script.toString(), url));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /** wrk's summary line, as p50, p99, the slowest, requests/s, bytes per answer (with headers) and errors. */
    private static String figures(Process wrk) throws Exception {
        String output = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        List<String> line = new ArrayList<>();
        for (String l : output.split("\n")) {
            if (l.startsWith("WAVELINE-READS ")) {
                line = List.of(l.substring("WAVELINE-READS ".length()).trim().split(" "));
            }
        }
        if (line.size() != 7) {
            return "wrk failed: " + output.strip();
        }
        long requests = Long.parseLong(line.get(3));
        double seconds = Long.parseLong(line.get(4)) / 1e6;
        return String.format("p50 %.1f ms, p99 %.1f ms, slowest %.1f ms, %.0f requests/s (%d in all), %d bytes each with headers, %s errors"
                + " (wrk, one thread, kept-alive HTTP/1.1 connections)", Long.parseLong(line.get(0)) / 1e3, Long.parseLong(line.get(1)) / 1e3,
                Long.parseLong(line.get(2)) / 1e3, requests / seconds, requests, requests == 0 ? 0 : Long.parseLong(line.get(5)) / requests,
                line.get(6));
    }
}
