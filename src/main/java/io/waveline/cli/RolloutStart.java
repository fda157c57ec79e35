package io.waveline.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code waveline rollout start PLAN|FILE}: a plan of the server's plan directory by name, or a local plan file. */
@Command(mixinStandardHelpOptions = true, description = "Start a rollout from a plan on the server (by name) or a local plan file.")
final class RolloutStart extends ServerCommand {

    @Parameters(paramLabel = "PLAN|FILE", description = "a plan name in the server's plan directory, or a plan file here")
    String plan;

    @Option(names = "--watch", description = "then watch it until it ends (exit code as for watch)")
    boolean watch;

    @Override
    public Integer call() throws Exception {
        Path file = Path.of(plan);
        Map<String, Object> body;
        if (Files.isRegularFile(file)) {
            PlanFiles.Read read = PlanFiles.read(file);
            if (read.error().isPresent()) {
                throw new CliFailure(ExitCodes.INVALID_PLAN, PlanFiles.compilerStyle(read.error().get(), ""));
            }
            body = Map.of("planYaml", read.text().get());
        } else {
            body = Map.of("plan", plan);
        }
        JsonNode started = server.post("/api/v1/rollouts", Optional.of(body));
        var out = out();
        if (output.human()) {
            out.printf("started rollout %d (plan %s): %s%n", started.path("id").asLong(), started.path("plan").asText(),
                    started.path("state").asText());
        } else {
            output.print(out, started);
        }
        out.flush();
        return watch ? RolloutWatch.follow(server, output, started.path("id").asLong(), out) : ExitCodes.OK;
    }
}
