package io.waveline.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import io.waveline.plan.Durations;
import io.waveline.plan.NodeFacts;
import io.waveline.plan.PlanReview;
import io.waveline.plan.Preview;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code waveline plan preview FILE --inventory INV}: what the plan would do to that fleet, offline, from the
 * service's own planner and estimator: the waves with their nodes and estimated times, the lowest share of GPUs in
 * service, GPU-hours out of service and cost.
 */
@Command(mixinStandardHelpOptions = true, description = "Preview a plan against an inventory offline: waves, timeline, capacity floor, cost.")
final class PlanPreview extends OfflineCommand {

    @Parameters(paramLabel = "FILE", description = "a plan file")
    Path file;

    @Override
    public Integer call() {
        if (!fleet.given()) {
            throw new CliFailure(ExitCodes.USAGE, "a preview needs the fleet: give --inventory FILE (a static or Ansible inventory)");
        }
        List<NodeFacts> facts = fleet.facts();
        PlanFiles.Read read = PlanFiles.read(file);
        PrintWriter out = out();
        PrintWriter err = err();
        if (read.error().isPresent()) {
            err.println(PlanFiles.compilerStyle(read.error().get(), ""));
            err.flush();
            return ExitCodes.INVALID_PLAN;
        }
        PlanReview review = PlanReview.of(read.file(), read.text().get(), facts, Instant.now());
        review.warnings().forEach(w -> err.println(PlanFiles.compilerStyle(w, "warning")));
        if (!review.valid() || review.preview().isEmpty()) {
            review.errors().forEach(e -> err.println(PlanFiles.compilerStyle(e, "")));
            err.flush();
            return ExitCodes.INVALID_PLAN;
        }
        Preview preview = review.preview().get();
        if (!output.human()) {
            output.print(out, OutputFormat.map("file", read.file(), "plan", review.plan().get().name(), "sha256", review.sha256(), "preview",
                    preview));
            return ExitCodes.OK;
        }
        print(out, review.plan().get().name(), preview);
        err.flush();
        return ExitCodes.OK;
    }

    static void print(PrintWriter out, String plan, Preview p) {
        out.printf("plan %s: %d of %d nodes to upgrade (%d GPUs in the pool), %d wave(s)%n", plan, p.nodesToUpgrade(), p.poolNodes(),
                p.poolGpus(), p.waves().size());
        out.println();
        out.printf("%-16s %-7s %6s %6s %10s %10s %10s %8s %9s %8s%n", "WAVE", "SIZE", "NODES", "GPUS", "START", "END", "DURATION",
                "SOAK", "APPROVAL", "PEAK OUT");
        for (Preview.WavePreview w : p.waves()) {
            out.printf("%-16s %-7s %6d %6d %10s %10s %10s %8s %9s %8d%n", w.name(), w.size(), w.nodes().size(), w.gpus(),
                    "+" + offset(p.start(), w.start()), "+" + offset(p.start(), w.end()), Durations.format(w.duration()),
                    Durations.format(w.soak()), w.approvalRequired() ? "required" : "-", w.peakNodesOut());
        }
        out.println();
        out.println("timeline (each # is " + Durations.format(step(p.estimatedDuration())) + "):");
        for (Preview.WavePreview w : p.waves()) {
            out.printf("  %-16s %s%n", w.name(), bar(p, w));
        }
        out.println();
        out.printf("estimated duration      %s (ends %s if started now)%n", Durations.format(p.estimatedDuration()),
                p.estimatedEnd().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        out.printf("lowest GPUs in service  %.1f %% (at most %d nodes out at once)%n", p.minGpusInServicePercent(), p.peakNodesOut());
        out.printf("GPU-hours out of service %.1f%n", p.gpuHoursOutOfService());
        if (p.costUsd() != null) {
            out.printf("cost of that time       $%s%n", p.costUsd().toPlainString());
        }
        out.printf("approval gates          %d%n", p.approvalGates());
        for (Preview.WavePreview w : p.waves()) {
            out.printf("nodes of %-14s %s%n", w.name() + ":", String.join(", ", w.nodes()));
        }
        p.skipped().forEach(s -> out.printf("skipped %s: %s%s%n", s.name(), s.reason().toString().toLowerCase().replace('_', ' '),
                s.detail() == null || s.detail().isEmpty() ? "" : " (" + s.detail() + ")"));
        p.notes().forEach(n -> out.println("note: " + n));
        out.flush();
    }

    private static String offset(Instant start, Instant at) {
        return Durations.format(Duration.between(start, at));
    }

    /** One character per {@link #step}: 60 columns for the whole rollout. */
    private static Duration step(Duration total) {
        long seconds = Math.max(1, (total.toSeconds() + 59) / 60);
        return Duration.ofSeconds(seconds);
    }

    private static String bar(Preview p, Preview.WavePreview w) {
        long step = step(p.estimatedDuration()).toSeconds();
        long from = Duration.between(p.start(), w.start()).toSeconds() / step;
        long to = Math.max(from + 1, (Duration.between(p.start(), w.end()).toSeconds() + step - 1) / step);
        return " ".repeat((int) from) + "#".repeat((int) (to - from));
    }
}
