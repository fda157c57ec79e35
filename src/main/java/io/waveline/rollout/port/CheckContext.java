package io.waveline.rollout.port;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the checks compare against (the versions the node should run now, its baseline from before it was
 * touched), which checks of the catalog the plan asks for beyond the basic ones, and which {@link CheckRunner} carries
 * the commands ({@code ssh}, or {@code pod} for a pod pinned to a Kubernetes node).
 */
public record CheckContext(Map<String, String> expectedVersions, Optional<GpuBaseline> baseline, List<CheckRequest> requested,
        String runner) {

    public CheckContext {
        expectedVersions = Map.copyOf(expectedVersions);
        requested = List.copyOf(requested);
        runner = runner == null ? CheckRunner.SSH : runner;
    }

    public CheckContext(Map<String, String> expectedVersions, Optional<GpuBaseline> baseline, List<CheckRequest> requested) {
        this(expectedVersions, baseline, requested, CheckRunner.SSH);
    }

    public static CheckContext none() {
        return new CheckContext(Map.of(), Optional.empty(), List.of());
    }

    public Optional<String> expectedDriver() {
        return Optional.ofNullable(expectedVersions.get("nvidia-driver"));
    }

    public Optional<Integer> baselineGpuCount() {
        return baseline.map(GpuBaseline::count).filter(n -> n > 0);
    }
}
