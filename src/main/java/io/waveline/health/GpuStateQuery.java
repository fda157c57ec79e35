package io.waveline.health;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code vbios}, {@code gpu-modes}, {@code ecc} and {@code clock-events} checks, from one nvidia-smi query
 * ({@link #COMMAND}: one CSV line per GPU, fields joined by ", ", {@code [N/A]} or {@code [Not Supported]} where a
 * GPU lacks a field, which is then not judged). Rules from gpu-health.md: VBIOS equal across GPUs (and to the
 * expected one); persistence mode Enabled; no uncorrectable volatile ECC errors, no pending or failed row remaps;
 * clock event reasons only 0x0 (none), 0x1 (idle) or 0x4 (SW power cap). VBIOS, ECC, remaps and clock events point
 * at the hardware; persistence mode at the software. Pure; never throws.
 */
public final class GpuStateQuery {

    public static final String COMMAND = "nvidia-smi --query-gpu=index,vbios_version,persistence_mode,mig.mode.current,"
            + "ecc.errors.uncorrected.volatile.total,remapped_rows.pending,remapped_rows.failure,clocks_event_reasons.active"
            + " --format=csv,noheader";
    private static final long ALLOWED_CLOCK_EVENTS = 0x1L | 0x4L;

    public record Gpu(int index, String vbios, String persistence, String mig, String eccUncorrected,
            String remapPending, String remapFailure, String clockEvents) {
    }

    private GpuStateQuery() {
    }

    /** The GPUs, or the reason the output cannot be read. */
    public static Optional<List<Gpu>> parse(int exitStatus, String output) {
        if (exitStatus != 0) {
            return Optional.empty();
        }
        List<Gpu> gpus = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",\\s*");
            if (f.length != 8) {
                return Optional.empty();
            }
            try {
                gpus.add(new Gpu(Integer.parseInt(f[0].trim()), f[1].trim(), f[2].trim(), f[3].trim(), f[4].trim(),
                        f[5].trim(), f[6].trim(), f[7].trim()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return gpus.isEmpty() ? Optional.empty() : Optional.of(gpus);
    }

    public static CheckOutcome evaluate(String check, int exitStatus, String output, Map<String, Object> parameters) {
        Optional<List<Gpu>> parsed = parse(exitStatus, output);
        if (parsed.isEmpty()) {
            return new CheckOutcome(check, CheckStatus.ERROR, "nvidia-smi GPU state query unreadable (exit " + exitStatus
                    + ")", CheckOutcome.Cause.NONE, Map.of(), output);
        }
        List<Gpu> gpus = parsed.get();
        return switch (check) {
            case "vbios" -> vbios(gpus, parameters, output);
            case "gpu-modes" -> modes(gpus, parameters, output);
            case "ecc" -> ecc(gpus, parameters, output);
            default -> clockEvents(gpus, output);
        };
    }

    private static CheckOutcome vbios(List<Gpu> gpus, Map<String, Object> parameters, String raw) {
        Set<String> versions = new LinkedHashSet<>();
        gpus.stream().map(Gpu::vbios).filter(GpuStateQuery::known).forEach(versions::add);
        Map<String, Object> figures = Map.of("vbios", List.copyOf(versions));
        Object expected = parameters.get("expected");
        if (versions.size() > 1) {
            return CheckOutcome.fail("vbios", CheckOutcome.Cause.HARDWARE, "GPUs run different VBIOS versions: " + versions, figures, raw);
        }
        if (expected != null && !versions.isEmpty() && !versions.contains(expected.toString())) {
            return CheckOutcome.fail("vbios", CheckOutcome.Cause.HARDWARE, "VBIOS " + versions.iterator().next()
                    + ", expected " + expected, figures, raw);
        }
        return CheckOutcome.pass("vbios", "VBIOS " + (versions.isEmpty() ? "not reported" : versions.iterator().next())
                + " on all GPUs", figures, raw);
    }

    private static CheckOutcome modes(List<Gpu> gpus, Map<String, Object> parameters, String raw) {
        boolean require = !Boolean.FALSE.equals(parameters.get("requirePersistence"));
        List<Integer> off = gpus.stream().filter(g -> known(g.persistence()) && !g.persistence().equals("Enabled"))
                .map(Gpu::index).toList();
        Set<String> mig = new LinkedHashSet<>();
        gpus.stream().map(Gpu::mig).filter(GpuStateQuery::known).forEach(mig::add);
        Map<String, Object> figures = Map.of("persistenceOff", off, "mig", List.copyOf(mig));
        if (require && !off.isEmpty()) {
            return CheckOutcome.fail("gpu-modes", CheckOutcome.Cause.DRIVER, "persistence mode off on GPU " + off, figures, raw);
        }
        return CheckOutcome.pass("gpu-modes", "persistence mode on; MIG " + (mig.isEmpty() ? "not supported" : mig), figures, raw);
    }

    private static CheckOutcome ecc(List<Gpu> gpus, Map<String, Object> parameters, String raw) {
        long allowed = parameters.get("maxUncorrectedVolatile") instanceof Number n ? n.longValue() : 0;
        List<String> problems = new ArrayList<>();
        for (Gpu gpu : gpus) {
            if (known(gpu.eccUncorrected()) && number(gpu.eccUncorrected()) > allowed) {
                problems.add("GPU " + gpu.index() + ": " + gpu.eccUncorrected() + " uncorrectable ECC errors");
            }
            if (yes(gpu.remapPending())) {
                problems.add("GPU " + gpu.index() + ": row remap pending");
            }
            if (yes(gpu.remapFailure())) {
                problems.add("GPU " + gpu.index() + ": row remap failed");
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("problems", problems);
        return problems.isEmpty() ? CheckOutcome.pass("ecc", "no uncorrectable ECC errors, no pending or failed row remaps", figures, raw)
                : CheckOutcome.fail("ecc", CheckOutcome.Cause.HARDWARE, String.join("; ", problems), figures, raw);
    }

    private static CheckOutcome clockEvents(List<Gpu> gpus, String raw) {
        List<String> problems = new ArrayList<>();
        for (Gpu gpu : gpus) {
            if (!known(gpu.clockEvents())) {
                continue;
            }
            try {
                long mask = Long.parseUnsignedLong(gpu.clockEvents().replaceFirst("^0x", ""), 16);
                if ((mask & ~ALLOWED_CLOCK_EVENTS) != 0) {
                    problems.add("GPU " + gpu.index() + ": " + describe(mask & ~ALLOWED_CLOCK_EVENTS));
                }
            } catch (NumberFormatException e) {
                problems.add("GPU " + gpu.index() + ": unreadable clock event mask " + gpu.clockEvents());
            }
        }
        return problems.isEmpty() ? CheckOutcome.pass("clock-events", "no hardware slowdown, thermal or power-brake clock events",
                Map.of(), raw) : CheckOutcome.fail("clock-events", CheckOutcome.Cause.HARDWARE, String.join("; ", problems),
                        Map.of("problems", problems), raw);
    }

    static String describe(long mask) {
        List<String> reasons = new ArrayList<>();
        if ((mask & 0x8) != 0) {
            reasons.add("HW slowdown");
        }
        if ((mask & 0x20) != 0) {
            reasons.add("SW thermal slowdown");
        }
        if ((mask & 0x40) != 0) {
            reasons.add("HW thermal slowdown");
        }
        if ((mask & 0x80) != 0) {
            reasons.add("power brake");
        }
        long other = mask & ~(0x8L | 0x20L | 0x40L | 0x80L);
        if (other != 0) {
            reasons.add("clock event 0x" + Long.toHexString(other));
        }
        return String.join(", ", reasons);
    }

    private static boolean known(String value) {
        return !value.isEmpty() && !value.startsWith("[");
    }

    private static boolean yes(String value) {
        return value.equalsIgnoreCase("Yes") || (value.matches("\\d+") && !value.equals("0"));
    }

    private static long number(String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
