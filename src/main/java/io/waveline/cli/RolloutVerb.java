package io.waveline.cli;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code waveline rollout approve|pause|resume|abort|rollback ID}: one command to a rollout, as
 * {@code POST /api/v1/rollouts/{id}/<command>}; the server checks the caller's role (and the two-person rule).
 */
@Command(mixinStandardHelpOptions = true, description = "Send this command to a rollout (the server checks your role), then show it.")
final class RolloutVerb extends ServerCommand {

    private final String verb;

    @Parameters(paramLabel = "ID", description = "the rollout")
    long id;

    RolloutVerb(String verb) {
        this.verb = verb;
    }

    @Override
    public Integer call() {
        JsonNode rollout = server.post("/api/v1/rollouts/" + id + "/" + verb, Optional.empty());
        var out = out();
        if (output.human()) {
            out.printf("%s: done%n", verb);
            RolloutText.print(out, rollout);
        } else {
            output.print(out, rollout);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
