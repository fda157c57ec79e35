package io.waveline.ui;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.qute.Location;
import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.identity.SecurityIdentity;
import io.waveline.api.DashboardPage;
import io.waveline.api.PlanReports;
import io.waveline.api.Roles;
import io.waveline.plan.Durations;
import io.waveline.plan.PlanDirectory;
import io.waveline.plan.PlanError;
import io.waveline.plan.PlanReview;
import io.waveline.plan.Preview;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The plans directory with each plan's validation state, and one plan: its preview against the fleet (the waves and
 * their nodes, a timeline of the estimated schedule, the lowest share of GPUs in service, GPU-hours out of service
 * and cost), and an editor whose text is checked again as one types, with each error at its line.
 */
@Path("/ui/plans")
@DashboardPage
@RolesAllowed(Roles.VIEWER)
@Produces(MediaType.TEXT_HTML)
public class PlanPages {

    @Inject
    SecurityIdentity identity;

    @Inject
    PlanReports reports;

    @ConfigProperty(name = "waveline.plans-dir")
    String plansDir;

    @Inject
    @Location("ui/plans.html")
    Template list;

    @Inject
    @Location("ui/plan.html")
    Template page;

    @Inject
    @Location("ui/plan-check.html")
    Template check;

    public record Row(String name, String file, boolean valid, int errors, int warnings, String waves, String duration) {
    }

    /** One wave of the timeline: where its nodes' work and then its soak lie, in percent of the whole estimate. */
    public record Bar(String label, String left, String width, String soakLeft, String soakWidth, boolean soaks, String start, String end) {
    }

    public record Line(int line, int column, String field, String message) {
    }

    @GET
    public TemplateInstance index() {
        List<Row> rows = new ArrayList<>();
        for (PlanDirectory.PlanFile file : directory().list()) {
            PlanReports.PlanReport r = reports.report(file, null);
            rows.add(new Row(r.name(), r.file(), r.valid(), r.errors().size(), r.warnings().size(), r.plan() == null ? ""
                    : String.join(" → ", r.plan().waves().stream().map(w -> w.name()).toList()), r.preview() == null ? "" : r.preview().estimatedDuration()));
        }
        return list.data("viewer", Viewer.of(identity)).data("rows", rows);
    }

    @GET
    @Path("/{name}")
    public TemplateInstance plan(@PathParam("name") String name) {
        PlanDirectory.PlanFile file = directory().find(name).orElseThrow(() -> new NotFoundException("no plan named " + name));
        PlanReview review = reports.review(file.fileName(), file.text(), null);
        return page.data("viewer", Viewer.of(identity)).data("name", file.name()).data("file", file.fileName()).data("text", file.text())
                .data("review", review).data("errors", lines(review.errors())).data("preview", review.preview().orElse(null))
                .data("bars", review.preview().map(PlanPages::bars).orElse(List.of()));
    }

    /** The editor's text checked as the service would check the file: the errors with their lines, or that it is valid. */
    @POST
    @Path("/check")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    public Response check(@FormParam("file") String file, @FormParam("text") String text) {
        String name = file == null || file.isBlank() ? "plan.yaml" : file;
        PlanReview review = reports.review(name, text == null ? "" : text, null);
        List<Line> errors = lines(review.errors());
        return Response.status(review.valid() ? 200 : 422).entity(check.data("valid", review.valid()).data("errors", errors)
                .data("warnings", lines(review.warnings())).data("file", name)).type(MediaType.TEXT_HTML).build();
    }

    private static List<Line> lines(List<PlanError> errors) {
        return errors.stream().map(e -> new Line(e.line(), e.column(), e.path(), e.message())).toList();
    }

    private static List<Bar> bars(Preview p) {
        List<Bar> bars = new ArrayList<>();
        double total = Math.max(1, p.estimatedDuration().toSeconds());
        for (Preview.WavePreview w : p.waves()) {
            double x = Duration.between(p.start(), w.start()).toSeconds();
            double width = Duration.between(w.start(), w.end()).toSeconds(); // the soak follows the end
            bars.add(new Bar(w.name() + " (" + w.nodes().size() + " nodes)", pct(x / total), pct(Math.max(0.004, width / total)),
                    pct((x + width) / total), pct(w.soak().toSeconds() / total), !w.soak().isZero(),
                    "+" + Durations.format(Duration.between(p.start(), w.start())), "+" + Durations.format(Duration.between(p.start(), w.end()))));
        }
        return bars;
    }

    private static String pct(double share) {
        return String.format(java.util.Locale.ROOT, "%.2f%%", Math.min(100, share * 100));
    }

    private PlanDirectory directory() {
        return new PlanDirectory(java.nio.file.Path.of(plansDir));
    }
}
