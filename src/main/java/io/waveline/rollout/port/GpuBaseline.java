package io.waveline.rollout.port;

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

    public String describe() {
        return gpus.size() + " GPUs" + (nvlinksUp.isEmpty() ? "" : ", " + nvlinksUp.values().stream().mapToInt(Integer::intValue).sum()
                + " NVLinks up");
    }
}
