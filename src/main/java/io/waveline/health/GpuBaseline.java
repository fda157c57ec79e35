package io.waveline.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a node's GPUs looked like before Waveline touched it: per GPU its index, UUID, PCI bus ID, VBIOS,
 * persistence and MIG mode, and how many NVLinks were up (by GPU index; empty where the GPUs have none). Taken at
 * cordon time and stored on the node run; the checks after the upgrade compare against it. {@code problem} (null when none) says
 * why a part could not be read (the node then still proceeds, compared on what was read).
 */
public record GpuBaseline(List<Gpu> gpus, Map<Integer, Integer> nvlinksUp, String problem) {

    public record Gpu(int index, String uuid, String busId, String vbios, String persistence, String mig) {
    }

    public GpuBaseline {
        gpus = List.copyOf(gpus);
        nvlinksUp = Map.copyOf(nvlinksUp);
    }

    public Optional<Gpu> gpu(int index) {
        return gpus.stream().filter(g -> g.index() == index).findFirst();
    }

    public int count() {
        return gpus.size();
    }

    /** Builds the baseline from the three queries' results (any of which may have failed). */
    public static GpuBaseline of(NvidiaSmiQuery.Result identity, Optional<List<GpuStateQuery.Gpu>> state,
            Optional<NvlinkStatus.Result> nvlink) {
        List<Gpu> gpus = new ArrayList<>();
        for (NvidiaSmiQuery.Gpu gpu : identity.gpus()) {
            Optional<GpuStateQuery.Gpu> s = state.flatMap(list -> list.stream().filter(g -> g.index() == gpu.index()).findFirst());
            gpus.add(new Gpu(gpu.index(), gpu.uuid(), gpu.busId(), s.map(GpuStateQuery.Gpu::vbios).orElse("[N/A]"),
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
    public List<Gpu> missingFrom(List<NvidiaSmiQuery.Gpu> now) {
        return gpus.stream().filter(before -> now.stream().noneMatch(g -> g.uuid().equals(before.uuid())
                || (before.uuid().startsWith("[") && g.busId().equalsIgnoreCase(before.busId())))).toList();
    }

    public String describe() {
        return gpus.size() + " GPUs" + (nvlinksUp.isEmpty() ? "" : ", " + nvlinksUp.values().stream().mapToInt(Integer::intValue).sum()
                + " NVLinks up");
    }
}
