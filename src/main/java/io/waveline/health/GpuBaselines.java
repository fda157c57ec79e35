package io.waveline.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.rollout.port.GpuBaseline;

/** A node's {@link GpuBaseline} from the tools' answers, and what is missing from it after the upgrade. */
final class GpuBaselines {

    private GpuBaselines() {
    }

    /** Builds the baseline from the three queries' results (any of which may have failed). */
    public static GpuBaseline of(NvidiaSmiQuery.Result identity, Optional<List<GpuStateQuery.Gpu>> state,
            Optional<NvlinkStatus.Result> nvlink) {
        List<GpuBaseline.Gpu> gpus = new ArrayList<>();
        for (NvidiaSmiQuery.Gpu gpu : identity.gpus()) {
            Optional<GpuStateQuery.Gpu> s = state.flatMap(list -> list.stream().filter(g -> g.index() == gpu.index()).findFirst());
            gpus.add(new GpuBaseline.Gpu(gpu.index(), gpu.uuid(), gpu.busId(), s.map(GpuStateQuery.Gpu::vbios).orElse("[N/A]"),
                    s.map(GpuStateQuery.Gpu::persistence).orElse("[N/A]"), s.map(GpuStateQuery.Gpu::mig).orElse("[N/A]")));
        }
        List<String> problems = new ArrayList<>();
        identity.failure().ifPresent(f -> problems.add("nvidia-smi: " + f));
        if (state.isEmpty() && identity.failure().isEmpty()) {
            problems.add("GPU state query unreadable");
        }
        Map<Integer, Integer> links = nvlink.filter(r -> r.problem().isEmpty()).map(NvlinkStatus.Result::linksUp).orElse(Map.of());
        nvlink.flatMap(NvlinkStatus.Result::problem).ifPresent(p -> problems.add("nvlink: " + p));
        return new GpuBaseline(gpus, links, problems.isEmpty() ? null : String.join("; ", problems));
    }

    /** The GPUs of the baseline that are gone now (by UUID, or by bus ID where the UUID is not reported). */
    public static List<GpuBaseline.Gpu> missing(GpuBaseline baseline, List<NvidiaSmiQuery.Gpu> now) {
        return baseline.gpus().stream().filter(before -> now.stream().noneMatch(g -> g.uuid().equals(before.uuid())
                || (before.uuid().startsWith("[") && g.busId().equalsIgnoreCase(before.busId())))).toList();
    }
}
