package io.waveline.plan;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The health checks a plan may name, with their thresholds and default timeouts. The list follows
 * {@code shared/reference/gpu-health.md}, cheapest first; the checks themselves live in the {@code health}
 * package.
 */
public final class CheckCatalog {

    public record Definition(String name, String summary, List<SettingRule> parameters, Duration defaultTimeout) {
    }

    private static final Map<String, Definition> DEFINITIONS = new LinkedHashMap<>();

    static {
        add("nvidia-smi", "nvidia-smi answers without NVML or driver errors", Duration.ofMinutes(1));
        add("driver-version", "kernel module and NVML report the target driver version", Duration.ofMinutes(1));
        add("gpu-inventory", "GPU count, UUIDs and bus IDs equal the pre-upgrade baseline", Duration.ofMinutes(1));
        add("vbios", "VBIOS equal on all GPUs (and to the expected version)", Duration.ofMinutes(1),
                SettingRule.text("expected"));
        add("gpu-modes", "persistence mode on, MIG mode as before", Duration.ofMinutes(1),
                SettingRule.bool("requirePersistence"));
        add("ecc", "no uncorrectable ECC errors, no pending or failed row remaps, no pending retired pages",
                Duration.ofMinutes(1), SettingRule.integer("maxUncorrectedVolatile", 0, 1_000_000));
        add("clock-events", "no hardware slowdown, thermal or power-brake clock events", Duration.ofMinutes(1));
        add("xid", "no XID of the fatal set in the kernel log since boot", Duration.ofMinutes(2),
                SettingRule.integers("fatal", 1, 1000));
        add("fabric-manager", "Fabric Manager active and at the driver's version", Duration.ofMinutes(1));
        add("dcgm-diag", "dcgmi diag at the given level: every test passes", Duration.ofMinutes(10),
                SettingRule.integer("level", 1, 4), SettingRule.bool("allowWarn"), SettingRule.bool("allowSkip"));
        add("nvlink", "every NVLink up", Duration.ofMinutes(2));
        add("kubernetes-validator", "GPU Operator validator ready, allocatable nvidia.com/gpu as before",
                Duration.ofMinutes(10));
        add("nccl-allreduce", "NCCL all_reduce_perf: no out-of-bounds values, bus bandwidth above the threshold",
                Duration.ofMinutes(10), SettingRule.number("minBusBandwidthGBps", 0, 100_000),
                SettingRule.text("size"), SettingRule.integer("gpus", 1, 64));
        add("amd-smi", "AMD driver and ROCm versions as targeted, amd-smi healthy", Duration.ofMinutes(2));
    }

    private CheckCatalog() {
    }

    private static void add(String name, String summary, Duration timeout, SettingRule... parameters) {
        DEFINITIONS.put(name, new Definition(name, summary, List.of(parameters), timeout));
    }

    public static Optional<Definition> find(String name) {
        return Optional.ofNullable(DEFINITIONS.get(name));
    }

    public static List<Definition> all() {
        return List.copyOf(DEFINITIONS.values());
    }

    public static List<String> names() {
        return List.copyOf(DEFINITIONS.keySet());
    }
}
