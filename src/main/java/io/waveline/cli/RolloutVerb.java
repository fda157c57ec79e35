package io.waveline.cli;

import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code waveline rollout approve|pause|resume|abort|rollback ID}: one command to a rollout, as
 * {@code POST /api/v1/rollouts/{id}/<command>}; the server checks the caller's role (and the two-person rule).
 */
@Command(mixinStandardHelpOptions = true, description = "Send this command to a rollout (the server checks your role), then show it.")
final class RolloutVerb implements Callable<Integer> {

    private final String verb;

    @Parameters(paramLabel = "ID", description = "the rollout")
    long id;

    @Mixin
    Server server;

    @Mixin
    OutputFormat output;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    RolloutVerb(String verb) {
        this.verb = verb;
    }

    @Override
    public Integer call() {
        JsonNode rollout = server.post("/api/v1/rollouts/" + id + "/" + verb, Optional.empty());
        var out = spec.commandLine().getOut();
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
