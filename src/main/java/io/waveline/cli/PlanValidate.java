package io.waveline.cli;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.waveline.plan.NodeFacts;
import io.waveline.plan.PlanError;
import io.waveline.plan.PlanParseResult;
import io.waveline.plan.PlanParser;
import io.waveline.plan.PlanReview;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code waveline plan validate FILE…}: the service's parser and validator, offline. Every problem as
 * {@code file:line:column: field: message} on stderr; exit 1 when any file is not valid. With {@code --inventory},
 * the selectors, wave sizes and limits are checked against that fleet too, as the service checks them against its own.
 */
@Command(mixinStandardHelpOptions = true, description = "Check plan files offline, as the service would (for git hooks and CI).")
final class PlanValidate extends OfflineCommand {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "plan files (rollout-plans/*.yaml)")
    List<Path> files;

    @Override
    public Integer call() {
        List<NodeFacts> facts = fleet.given() ? fleet.facts() : List.of();
        List<Object> reports = new ArrayList<>();
        boolean allValid = true;
        var out = out();
        var err = err();
        for (Path path : files) {
            PlanFiles.Read read = PlanFiles.read(path);
            List<PlanError> errors;
            List<PlanError> warnings;
            String name = null;
            if (read.error().isPresent()) {
                errors = List.of(read.error().get());
                warnings = List.of();
            } else if (fleet.given()) {
                PlanReview review = PlanReview.of(read.file(), read.text().get(), facts, Instant.now());
                errors = review.errors();
                warnings = review.warnings();
                name = review.plan().map(p -> p.name()).orElse(null);
            } else {
                PlanParseResult parsed = PlanParser.parse(read.file(), read.text().get());
                errors = parsed.errors();
                warnings = parsed.warnings();
                name = parsed.plan().map(p -> p.name()).orElse(null);
            }
            boolean valid = errors.isEmpty() && name != null;
            allValid &= valid;
            if (output.human()) {
                warnings.forEach(w -> err.println(PlanFiles.compilerStyle(w, "warning")));
                errors.forEach(e -> err.println(PlanFiles.compilerStyle(e, "")));
                if (valid) {
                    out.println(read.file() + ": valid (plan " + name + (fleet.given() ? ", checked against " + facts.size() + " nodes" : "") + ")");
                }
            }
            reports.add(OutputFormat.map("file", read.file(), "valid", valid, "plan", name, "errors", PlanFiles.views(errors),
                    "warnings", PlanFiles.views(warnings)));
        }
        if (!output.human()) {
            output.print(out, reports);
        }
        out.flush();
        err.flush();
        return allValid ? ExitCodes.OK : ExitCodes.INVALID_PLAN;
    }
}
