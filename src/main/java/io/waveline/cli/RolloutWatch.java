package io.waveline.cli;

import java.io.PrintWriter;
import java.util.ArrayDeque;
import java.util.Deque;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code waveline rollout watch ID}: the rollout live until it ends, then exits with its outcome
 * ({@link ExitCodes#ofRollout}). On a terminal it redraws one view (a progress bar per wave, nodes by state, the
 * latest events); otherwise (a pipe, CI logs) it prints each new event and each change of the rollout's state as lines.
 */
@Command(mixinStandardHelpOptions = true, description = "Watch a rollout live until it ends; exits 0 when it SUCCEEDED (see exit codes).")
final class RolloutWatch extends ServerCommand {

    @Parameters(paramLabel = "ID", description = "the rollout")
    long id;

    @Option(names = "--interval", defaultValue = "1s", paramLabel = "DURATION", description = "how often to ask the server: 200ms, 1s, 5s (default 1s, at least 100ms)")
    String interval;

    @Override
    public Integer call() throws Exception {
        long millis = interval.matches("\\d{1,7}ms") ? Long.parseLong(interval.substring(0, interval.length() - 2))
                : io.waveline.plan.Durations.parse(interval).orElseThrow(() -> new CliFailure(ExitCodes.USAGE, "--interval " + interval
                        + ": write 200ms, 1s, 5s or another duration")).toMillis();
        return follow(server, output, id, out(), Math.max(100, millis));
    }

    static int follow(Server server, OutputFormat output, long id, PrintWriter out) throws InterruptedException {
        return follow(server, output, id, out, 1000);
    }

    static int follow(Server server, OutputFormat output, long id, PrintWriter out, long intervalMillis) throws InterruptedException {
        boolean terminal = System.console() != null && output.human();
        long after = 0;
        String lastLine = "";
        Deque<JsonNode> latest = new ArrayDeque<>();
        while (true) {
            JsonNode rollout = server.get("/api/v1/rollouts/" + id);
            JsonNode events = server.get("/api/v1/rollouts/" + id + "/events?limit=1000&after=" + after);
            for (JsonNode event : events) {
                after = event.path("id").asLong();
                if (terminal) {
                    latest.addLast(event);
                    if (latest.size() > 10) {
                        latest.removeFirst();
                    }
                } else if (output.human()) {
                    RolloutText.event(out, event);
                } else {
                    output.print(out, event);
                }
            }
            String state = rollout.path("state").asText();
            if (terminal) {
                out.print("\033[H\033[2J");
                RolloutText.print(out, rollout);
                out.println("latest events:");
                latest.forEach(e -> RolloutText.event(out, e));
            } else if (output.human()) {
                String line = "rollout " + id + " " + state + ", wave " + (rollout.path("currentWave").asInt() + 1) + " "
                        + rollout.path("wavePhase").asText().toLowerCase() + ": " + RolloutText.counts(rollout.path("nodesByState"));
                if (!line.equals(lastLine)) {
                    out.println(line);
                    lastLine = line;
                }
            }
            out.flush();
            if (RolloutText.FINAL.contains(state) && events.size() < 1000) {
                if (output.human()) {
                    if (!terminal) {
                        RolloutText.print(out, rollout);
                    }
                    out.println("rollout " + id + " ended " + state);
                } else {
                    output.print(out, rollout);
                }
                out.flush();
                return ExitCodes.ofRollout(state);
            }
            Thread.sleep(intervalMillis);
        }
    }
}
