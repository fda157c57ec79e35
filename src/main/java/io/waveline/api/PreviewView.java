package io.waveline.api;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

import io.waveline.plan.Durations;
import io.waveline.plan.Preview;
import io.waveline.plan.WavePlan;

/**
 * A plan's preview as JSON: the waves with their nodes and timings, the nodes skipped and why, and the
 * capacity and cost figures. Durations are given in plan form ({@code 2h30m}) and in seconds.
 */
public record PreviewView(Instant start, Instant estimatedEnd, String estimatedDuration, long estimatedDurationSeconds,
        List<Wave> waves, List<Skipped> skipped, int nodesToUpgrade, int poolNodes, int poolGpus, int peakNodesOut,
        double minGpusInServicePercent, double gpuHoursOutOfService, BigDecimal costUsd, int approvalGates,
        List<String> notes) {

    public record Wave(String name, String size, List<String> nodes, int gpus, Instant start, Instant end,
            String duration, long durationSeconds, String soak, boolean approvalRequired, int peakNodesOut,
            List<Preview.NodeSlot> schedule) {
    }

    public record Skipped(String name, String reason, String detail) {
    }

    public static PreviewView of(Preview p) {
        List<Wave> waves = p.waves().stream().map(w -> new Wave(w.name(), w.size(), w.nodes(), w.gpus(), w.start(),
                w.end(), Durations.format(w.duration()), w.duration().getSeconds(), Durations.format(w.soak()),
                w.approvalRequired(), w.peakNodesOut(), w.schedule())).toList();
        List<Skipped> skipped = p.skipped().stream().map((WavePlan.SkippedNode s) -> new Skipped(s.name(),
                s.reason().name().toLowerCase().replace('_', '-'), s.detail())).toList();
        return new PreviewView(p.start(), p.estimatedEnd(), Durations.format(p.estimatedDuration()),
                p.estimatedDuration().getSeconds(), waves, skipped, p.nodesToUpgrade(), p.poolNodes(), p.poolGpus(),
                p.peakNodesOut(), p.minGpusInServicePercent(), p.gpuHoursOutOfService(), p.costUsd(),
                p.approvalGates(), p.notes());
    }
}
