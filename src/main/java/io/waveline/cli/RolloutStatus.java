package io.waveline.cli;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code waveline rollout status [ID]}: one rollout's summary, or the list of rollouts. */
@Command(mixinStandardHelpOptions = true, description = "Show a rollout (waves, progress, limits, failures), or list the rollouts.")
final class RolloutStatus extends ServerCommand {

    @Parameters(arity = "0..1", paramLabel = "ID", description = "the rollout; without it, the latest rollouts")
    Optional<Long> id = Optional.empty();

    @Override
    public Integer call() {
        var out = out();
        if (id.isPresent()) {
            JsonNode rollout = server.get("/api/v1/rollouts/" + id.get());
            if (output.human()) {
                RolloutText.print(out, rollout);
            } else {
                output.print(out, rollout);
            }
            return ExitCodes.OK;
        }
        JsonNode list = server.get("/api/v1/rollouts?limit=50");
        if (!output.human()) {
            output.print(out, list);
            return ExitCodes.OK;
        }
        out.printf("%-6s %-28s %-12s %-6s %-26s %-21s %s%n", "ID", "PLAN", "STATE", "WAVE", "PROGRESS", "STARTED", "FINISHED");
        for (JsonNode r : list) {
            out.printf("%-6d %-28s %-12s %-6d %-26s %-21s %s%n", r.path("id").asLong(), r.path("plan").asText(), r.path("state").asText(),
                    r.path("currentWave").asInt() + 1, progress(r.path("nodesByState")), shortTime(r.path("createdAt")),
                    shortTime(r.path("finishedAt")));
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static String progress(JsonNode byState) {
        long total = 0;
        long done = 0;
        for (var e : byState.properties()) {
            total += e.getValue().asLong();
            done += e.getKey().equals("PENDING") ? 0 : e.getValue().asLong();
        }
        return done + "/" + total + " started";
    }

    private static String shortTime(JsonNode at) {
        return at.isTextual() ? at.asText().replaceAll("\\.\\d+Z$", "Z") : "-";
    }
}
