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

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    /**
     * At start, in the background: one plan reviewed and previewed against a made-up fleet of four nodes and written as
     * JSON, so that the first preview a user asks for does not pay for loading the YAML parser, the planner and the
     * JSON writers (about 0.6 s in a fresh JVM). Nothing is read or stored; a failure here only leaves the first
     * preview slower.
     */
    void warmUp(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        Thread thread = new Thread(() -> {
            try {
                PlanReview review = warmUpReview(clock.instant());
                json.writeValueAsString(report("warm-up", review, review.errors()));
            } catch (Exception e) {
                org.jboss.logging.Logger.getLogger(PlanReports.class).debugf("Plan warm-up: %s", e.getMessage());
            }
        }, "plan-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
        thread.start();
    }

    /** The warm-up's review: its plan over its four made-up nodes. */
    static PlanReview warmUpReview(Instant now) {
        List<io.waveline.plan.NodeFacts> fleet = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            fleet.add(new io.waveline.plan.NodeFacts("warm-up-" + i, java.util.Map.of("pool", "warm-up", "rack", "r" + i % 2),
                    "nvidia", "H100-SXM5-80GB", 8, true, java.util.Map.of("nvidia-driver", "550.127.05",
                            "nvidia-fabricmanager", "550.127.05"), true));
        }
        return PlanReview.of("warm-up.yaml", WARM_UP_PLAN, fleet, now);
    }

    private static final String WARM_UP_PLAN = """
            apiVersion: waveline/v1
            kind: RolloutPlan
            metadata:
              name: warm-up
            spec:
              target:
                selector: "pool=warm-up"
                components:
                  nvidia-driver: "570.133.20"
                  nvidia-fabricmanager: "570.133.20"
              waves:
                - name: canary
                  size: 1
                - name: rest
                  size: rest
              limits:
                maxUnavailable: "50%"
                failureDomains:
                  - labelKey: rack
                    maxUnavailable: 1
            """;

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
