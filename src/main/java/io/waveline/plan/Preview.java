package io.waveline.plan;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What a rollout would do, before anything is touched: the waves and their nodes, when each wave starts and ends
 * under the sliding-window model, the worst moment for capacity, and what the time out of service costs.
 */
public record Preview(Instant start, Instant estimatedEnd, Duration estimatedDuration, List<WavePreview> waves,
        List<WavePlan.SkippedNode> skipped, int nodesToUpgrade, int poolNodes, int poolGpus, int peakNodesOut,
        double minGpusInServicePercent, double gpuHoursOutOfService, BigDecimal costUsd, int approvalGates,
        List<String> notes) {

    public record WavePreview(String name, String size, List<String> nodes, int gpus, Instant start, Instant end,
            Duration duration, Duration soak, boolean approvalRequired, int peakNodesOut, List<NodeSlot> schedule) {
    }

    /** When one node is expected out of service. */
    public record NodeSlot(String node, Instant start, Instant end) {
    }
}
