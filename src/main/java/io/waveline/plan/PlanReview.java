package io.waveline.plan;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Everything a user wants to know about a plan file against the current fleet: is it valid, and if so what it
 * would do. Runs the parser, then the planner and the estimator; errors from all three are reported together,
 * in file order.
 */
public record PlanReview(String file, String sha256, Optional<RolloutPlan> plan, Optional<WavePlan> wavePlan,
        Optional<Preview> preview, List<PlanError> errors, List<PlanError> warnings) {

    /** A plan file's bytes that are not UTF-8: the error, at the line and column of the first bad byte. */
    public static Optional<PlanError> notUtf8(String file, byte[] bytes) {
        return DocumentLimits.notUtf8(bytes).map(at -> new PlanError(file, at.line(), at.column(), "",
                "is not UTF-8 text here (the first byte sequence that is not); save the plan as UTF-8"));
    }

    public boolean valid() {
        return errors.isEmpty() && plan.isPresent();
    }

    public static PlanReview of(String file, String text, List<NodeFacts> fleet, Instant now) {
        return of(file, text, fleet, now, CredentialsCheck.ANY);
    }

    /** {@code credentials}: which {@code credentialsRef}s Waveline can use. */
    public static PlanReview of(String file, String text, List<NodeFacts> fleet, Instant now, CredentialsCheck credentials) {
        PlanParseResult parsed = PlanParser.parse(file, text);
        if (parsed.plan().isEmpty()) {
            return new PlanReview(file, parsed.sha256(), Optional.empty(), Optional.empty(), Optional.empty(),
                    parsed.errors(), parsed.warnings());
        }
        RolloutPlan plan = parsed.plan().get();
        WavePlan wavePlan = WavePlanner.plan(file, plan, fleet);
        List<PlanError> errors = new ArrayList<>(wavePlan.errors());
        errors.addAll(MethodRules.credentials(file, plan.method(), credentials));
        errors.addAll(MethodRules.kubernetesOnly(file, plan.method(), wavePlan));
        List<PlanError> warnings = new ArrayList<>(parsed.warnings());
        warnings.addAll(wavePlan.warnings());
        Optional<Preview> preview = Optional.empty();
        if (errors.isEmpty()) {
            PreviewEstimator.Result estimate = PreviewEstimator.estimate(file, plan, wavePlan, now);
            errors.addAll(estimate.errors());
            preview = Optional.of(estimate.preview());
        }
        errors.sort(java.util.Comparator.comparingInt(PlanError::line).thenComparingInt(PlanError::column));
        return new PlanReview(file, parsed.sha256(), Optional.of(plan), Optional.of(wavePlan),
                errors.isEmpty() ? preview : Optional.empty(), List.copyOf(errors), List.copyOf(warnings));
    }
}
