package io.waveline.api;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.waveline.plan.PlanDirectory;
import io.waveline.plan.PlanReview;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

@Path("/api/v1/plans")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Plans")
public class PlansResource {

    private static final String SUMMARY_OF_START = "when the rollout would start, ISO-8601 (e.g. 2026-11-27T22:00:00Z); "
            + "default now. Matters for maintenance windows.";

    @ConfigProperty(name = "waveline.plans-dir")
    String plansDir;

    @Inject
    PlanReports reports;

    /** One line per plan file. */
    public record PlanSummary(String name, String file, boolean valid, int errors, int warnings, String sha256,
            List<String> waves, Integer nodesToUpgrade, String estimatedDuration) {
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Operation(summary = "List the plans in the plan directory (waveline.plans-dir) with their validation state")
    public List<PlanSummary> list() {
        return directory().list().stream().map(file -> reports.report(file, null)).map(r -> new PlanSummary(r.name(),
                r.file(), r.valid(), r.errors().size(), r.warnings().size(), r.sha256(),
                r.plan() == null ? List.of() : r.plan().waves().stream().map(PlanView.Wave::name).toList(),
                r.preview() == null ? null : r.preview().nodesToUpgrade(),
                r.preview() == null ? null : r.preview().estimatedDuration())).toList();
    }

    @GET
    @RolesAllowed(Roles.VIEWER)
    @Path("/{name}")
    @Operation(summary = "One plan: its validation state, the plan with defaults, and its preview against the fleet")
    public PlanReports.PlanReport get(@PathParam("name") String name,
            @Parameter(description = SUMMARY_OF_START) @QueryParam("start") String start) {
        PlanDirectory.PlanFile file = directory().find(name).orElseThrow(() -> ProblemException.notFound(
                "no plan named \"" + name + "\" in " + directory().directory()));
        return reports.report(file, instant(start));
    }

    @POST
    @BodyLimit(BodyLimit.PLAN)
    @RolesAllowed(Roles.VIEWER)
    @Path("/validate")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Validate a plan (YAML body) and preview it against the fleet; nothing is stored or started",
            description = "200 with the preview when the plan is valid and can run on this fleet; 422 problem+json "
                    + "listing every error (line, column, field path, message) otherwise.")
    @APIResponse(responseCode = "200", description = "valid: waves, timings, capacity and cost")
    @APIResponse(responseCode = "422", description = "invalid: application/problem+json with an errors array")
    public PlanReports.PlanReport validate(
            @RequestBody(description = "a rollout plan in YAML (apiVersion: waveline/v1, kind: RolloutPlan)") byte[] bytes,
            @Parameter(description = "file name to use in error messages") @QueryParam("file") String file,
            @Parameter(description = SUMMARY_OF_START) @QueryParam("start") String start) {
        String fileName = file == null || file.isBlank() ? "request body" : file;
        java.util.Optional<io.waveline.plan.PlanError> notText = PlanReview.notUtf8(fileName, bytes == null ? new byte[0] : bytes);
        if (notText.isPresent()) {
            throw new ProblemException(422, "Invalid rollout plan", "1 error(s) in " + fileName + "; the first: " + notText.get(),
                    java.util.List.of(notText.get()));
        }
        String body = new String(bytes == null ? new byte[0] : bytes, java.nio.charset.StandardCharsets.UTF_8);
        PlanReview review = reports.review(fileName, body, instant(start));
        if (!review.valid()) {
            throw new ProblemException(422, "Invalid rollout plan", review.errors().size()
                    + " error(s) in " + fileName + "; the first: " + review.errors().get(0), review.errors());
        }
        return reports.report(review.plan().orElseThrow().name(), review, review.errors());
    }

    private PlanDirectory directory() {
        return new PlanDirectory(java.nio.file.Path.of(plansDir));
    }

    private static Instant instant(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ProblemException.badRequest("start \"" + text + "\" is not an ISO-8601 instant such as 2026-11-27T22:00:00Z");
        }
    }
}
