package io.waveline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.waveline.rollout.PackagedService;

/**
 * The packaged CLI ({@code ./waveline}, running {@code target/waveline-cli.jar}) as a user runs it: offline checks of
 * the shipped plans and of broken ones, an offline preview, and a live demo rollout started and watched until it ends.
 */
class CliIT {

    record Run(int exit, String out, String err) {
    }

    static Run waveline(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("./waveline"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().remove("WAVELINE_URL");
        builder.environment().remove("WAVELINE_TOKEN");
        Path out = Files.createTempFile("waveline-cli", ".out");
        Path err = Files.createTempFile("waveline-cli", ".err");
        Process process = builder.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).as("waveline " + String.join(" ", args) + " ended").isTrue();
        return new Run(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void everyShippedPlanIsValidOfflineWithAndWithoutAnInventory() throws Exception {
        List<String> plans;
        try (Stream<Path> files = Files.list(Path.of("rollout-plans"))) {
            plans = files.map(Path::toString).filter(f -> f.endsWith(".yaml")).sorted().toList();
        }
        List<String> args = new ArrayList<>(List.of("plan", "validate"));
        args.addAll(plans);
        Run run = waveline(args.toArray(String[]::new));
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out().lines()).hasSize(plans.size()).allMatch(line -> line.contains(": valid (plan "));

        args.addAll(2, List.of("--inventory", "examples/inventory.yaml"));
        Run checked = waveline(args.toArray(String[]::new));
        assertThat(checked.exit()).as(checked.err()).isZero();
        assertThat(checked.out()).contains("rollout-plans/h100-driver-570.yaml: valid (plan h100-driver-570, checked against 30 nodes)");
    }

    @Test
    void brokenPlansFailWithFileLineAndColumnLikeACompiler(@TempDir Path dir) throws Exception {
        Path limits = dir.resolve("bad-limits.yaml");
        Files.writeString(limits, """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: bad-limits
                spec:
                  target:
                    selector: "pool=h100"
                    components:
                      nvidia-driver: "570.133.20"
                  waves:
                    - name: canary
                      size: 0
                  limits:
                    maxUnavailable: lots
                """);
        Path syntax = dir.resolve("bad-yaml.yaml");
        Files.writeString(syntax, "apiVersion: waveline/v1\nkind: RolloutPlan\nmetadata:\n  name: [unclosed\n");
        Run run = waveline("plan", "validate", "rollout-plans/demo-good-driver.yaml", limits.toString(), syntax.toString());
        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.out()).contains("rollout-plans/demo-good-driver.yaml: valid");
        assertThat(run.err()).contains(limits + ":12:13: spec.waves[0].size: \"0\" must be at least 1 node")
                .contains(limits + ":14:21: spec.limits.maxUnavailable: \"lots\" is not allowed");
        assertThat(run.err().lines().filter(line -> line.startsWith(syntax + ":"))).singleElement().asString().matches(
                java.util.regex.Pattern.quote(syntax.toString()) + ":\\d+:\\d+: .+");

        Run elsewhere = waveline("plan", "validate", "--inventory", "ansible/inventory.example.ini", "rollout-plans/l40s-driver-only.yaml");
        assertThat(elsewhere.exit()).isEqualTo(1);
        assertThat(elsewhere.err()).contains("rollout-plans/l40s-driver-only.yaml:").contains("spec.target.selector: selects no node");

        Run json = waveline("plan", "validate", "-o", "json", limits.toString());
        assertThat(json.exit()).isEqualTo(1);
        JsonNode report = new ObjectMapper().readTree(json.out()).get(0);
        assertThat(report.get("valid").asBoolean()).isFalse();
        assertThat(report.get("errors").findValuesAsText("field")).contains("spec.limits.maxUnavailable");
    }

    @Test
    void aPreviewOfflineShowsTheWavesTimelineCapacityAndCost() throws Exception {
        Run run = waveline("plan", "preview", "rollout-plans/h100-driver-570.yaml", "--inventory", "examples/inventory.yaml");
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("plan h100-driver-570: 16 of 16 nodes to upgrade (128 GPUs in the pool), 3 wave(s)")
                .containsPattern("canary +1 +1 +8 ").containsPattern("fleet +rest +13 +104 ").contains("timeline (each # is ")
                .contains("lowest GPUs in service  75.0 %").contains("cost of that time       $").contains("nodes of canary:        gpu-h100-01");

        Run without = waveline("plan", "preview", "rollout-plans/h100-driver-570.yaml");
        assertThat(without.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(without.err()).contains("give --inventory FILE");
    }

    @Test
    void theDemosBadPlanStartedAndWatchedEndsRolledBackWithTheCanarysReason(@TempDir Path dir) throws Exception {
        try (PackagedService service = new PackagedService("cli", dir, "cli-token", Map.of("waveline.data-dir", dir.toString(),
                "waveline.sim.install-duration", "1s", "waveline.sim.reboot-duration", "1s", "waveline.engine.poll-interval", "0.2s",
                "waveline.plans-dir", Path.of("rollout-plans").toAbsolutePath().toString()))) {
            service.environment("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true").start();
            String server = "http://localhost:" + service.port;
            Run refused = waveline("rollout", "status", "--server", server, "--token", "wrong");
            assertThat(refused.exit()).isEqualTo(ExitCodes.REFUSED);
            assertThat(refused.err()).startsWith("waveline: GET /api/v1/rollouts answered 401");

            Run started = waveline("rollout", "start", "demo-bad-driver", "--server", server, "--token", "cli-token");
            assertThat(started.exit()).as(started.err()).isZero();
            assertThat(started.out()).startsWith("started rollout ").contains("(plan demo-bad-driver)");
            String id = started.out().split(" ")[2];

            Run watched = waveline("rollout", "watch", id, "--interval", "200ms", "--server", server, "--token", "cli-token");
            assertThat(watched.exit()).as(watched.err()).isEqualTo(ExitCodes.ROLLOUT_ROLLED_BACK);
            assertThat(watched.out()).containsPattern("node\\.failed +gpu-h100-\\d+ +gpu-inventory: GPU \\d+ .*missing")
                    .contains("ROLLED_BACK  (1 node(s) of wave canary failed").contains("node.rolled-back")
                    .containsPattern("canary +\\[#+\\] +1/1 ").contains("rollout " + id + " ended ROLLED_BACK");

            Run status = waveline("rollout", "status", id, "-o", "json", "--server", server, "--token", "cli-token");
            assertThat(status.exit()).isZero();
            assertThat(new ObjectMapper().readTree(status.out()).get("state").asText()).isEqualTo("ROLLED_BACK");

            // the service ran with JSON logs: the canary's failure is a log line with the rollout and the node in its MDC
            ObjectMapper json = new ObjectMapper();
            List<JsonNode> failedLines = new ArrayList<>();
            for (String line : Files.readAllLines(dir.resolve("cli-1.log"))) {
                if (line.startsWith("{") && line.contains("node.failed")) {
                    failedLines.add(json.readTree(line));
                }
            }
            assertThat(failedLines).singleElement().satisfies(line -> {
                assertThat(line.get("message").asText()).startsWith("node.failed gpu-h100-").contains("gpu-inventory: GPU");
                assertThat(line.get("mdc").get("rolloutId").asText()).isEqualTo(id);
                assertThat(line.get("message").asText()).contains(line.get("mdc").get("node").asText());
            });

            Run missing = waveline("rollout", "status", "999999", "--server", server, "--token", "cli-token");
            assertThat(missing.exit()).isEqualTo(ExitCodes.REJECTED);
            assertThat(missing.err()).contains("answered 404");
        }
        Run down = waveline("nodes", "--server", "http://localhost:9", "--token", "x");
        assertThat(down.exit()).isEqualTo(ExitCodes.SERVER);
        assertThat(down.err()).startsWith("waveline: cannot reach Waveline at http://localhost:9");
    }
}
