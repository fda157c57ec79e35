package io.waveline.api;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.waveline.fleet.FleetInventory;
import io.waveline.fleet.FleetNode;
import io.waveline.plan.PlanDirectory;
import io.waveline.plan.PlanError;
import io.waveline.plan.PlanReview;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Reviews plan text against the fleet as it is now, for the plan endpoints. */
@ApplicationScoped
public class PlanReports {

    @Inject
    FleetInventory inventory;

    @Inject
    Clock clock;

    @Inject
    io.waveline.plan.CredentialsCheck credentials;

    /** What the API answers for one plan. {@code plan} and {@code preview} are present only when it is valid. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record PlanReport(String name, String file, boolean valid, String sha256, List<ErrorView> errors,
            List<ErrorView> warnings, PlanView plan, PreviewView preview) {
    }

    public PlanReview review(String file, String text, Instant start) {
        return PlanReview.of(file, text, inventory.nodes().stream().map(FleetNode::facts).toList(),
                start == null ? clock.instant() : start, credentials);
    }

    public PlanReport report(PlanDirectory.PlanFile file, Instant start) {
        PlanReview review = review(file.fileName(), file.text(), start);
        List<PlanError> errors = new ArrayList<>(review.errors());
        file.conflict().ifPresent(errors::add);
        return report(file.name(), review, errors);
    }

    public PlanReport report(String name, PlanReview review, List<PlanError> errors) {
        boolean valid = errors.isEmpty() && review.valid();
        return new PlanReport(name, review.file(), valid, review.sha256(), errors.stream().map(ErrorView::of).toList(),
                review.warnings().stream().map(ErrorView::of).toList(),
                review.plan().map(PlanView::of).orElse(null),
                valid ? review.preview().map(PreviewView::of).orElse(null) : null);
    }
}
