package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.rollout.port.GpuBaseline;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code vbios}, {@code gpu-modes}, {@code ecc} and {@code clock-events} checks, from one nvidia-smi query
 * ({@link #command}: one CSV line per GPU, fields joined by ", ", {@code [N/A]} or {@code [Not Supported]} where a
 * GPU lacks a value, which is then not judged). A GPU generation or driver that does not know a field fails the
 * whole query with {@code Field "retired_pages.pending" is not a valid field to query.}: page retirement is
 * pre-Ampere, row remapping Ampere and later, {@code clocks_event_reasons} needs driver 535 (older ones call it
 * {@code clocks_throttle_reasons}); {@link #without} gives the field list to ask again with.
 *
 * <p>Rules from gpu-health.md: VBIOS equal across GPUs, to the expected one if the plan names one, else to the
 * baseline; persistence mode Enabled; MIG mode as in the baseline; no uncorrectable volatile ECC errors, no
 * pending or failed row remaps, no pending retired pages; clock event reasons only 0x0 (none), 0x1 (idle) or 0x4
 * (SW power cap). VBIOS, ECC, remaps and clock events point at the hardware; persistence and MIG mode at the
 * software. Pure; never throws.
 */
public final class GpuStateQuery {

    public static final String CLOCK_EVENTS = "clocks_event_reasons.active";
    public static final String CLOCK_THROTTLE = "clocks_throttle_reasons.active";
    public static final List<String> FIELDS = List.of("index", "vbios_version", "persistence_mode", "mig.mode.current",
            "ecc.errors.uncorrected.volatile.total", "remapped_rows.pending", "remapped_rows.failure",
            "retired_pages.pending", CLOCK_EVENTS);
    public static final String COMMAND = command(FIELDS);
    private static final Pattern INVALID = Pattern.compile("Field \"([a-z_.]+)\" is not a valid field to query");
    private static final long ALLOWED_CLOCK_EVENTS = 0x1L | 0x4L;

    /** One GPU's answers, by field name. */
    public record Gpu(int index, Map<String, String> values) {

        public String value(String field) {
            return values.getOrDefault(field, "[N/A]");
        }

        public String vbios() {
            return value("vbios_version");
        }

        public String persistence() {
            return value("persistence_mode");
        }

        public String mig() {
            return value("mig.mode.current");
        }

        public String clockEvents() {
            return values.containsKey(CLOCK_EVENTS) ? value(CLOCK_EVENTS) : value(CLOCK_THROTTLE);
        }
    }

    private GpuStateQuery() {
    }

    public static String command(List<String> fields) {
        return "nvidia-smi --query-gpu=" + String.join(",", fields) + " --format=csv,noheader";
    }

    /** The field nvidia-smi refused, if that is why the query failed. */
    public static Optional<String> invalidField(String output) {
        Matcher m = INVALID.matcher(output);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** The fields to ask again with after {@code invalid} was refused (the older name for clock events). */
    public static List<String> without(List<String> fields, String invalid) {
        List<String> next = new ArrayList<>(fields);
        int at = next.indexOf(invalid);
        if (at <= 0) {
            return next;
        }
        if (invalid.equals(CLOCK_EVENTS)) {
            next.set(at, CLOCK_THROTTLE);
        } else {
            next.remove(at);
        }
        return next;
    }

    /** The GPUs, or empty when the output cannot be read. */
    public static Optional<List<Gpu>> parse(List<String> fields, int exitStatus, String output) {
        if (exitStatus != 0) {
            return Optional.empty();
        }
        List<Gpu> gpus = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(",\\s*", -1);
            if (f.length != fields.size()) {
                return Optional.empty();
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < f.length; i++) {
                values.put(fields.get(i), f[i].trim());
            }
            try {
                gpus.add(new Gpu(Integer.parseInt(f[0].trim()), values));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return gpus.isEmpty() ? Optional.empty() : Optional.of(gpus);
    }

    public static CheckOutcome evaluate(String check, List<String> fields, int exitStatus, String output,
            Map<String, Object> parameters, Optional<GpuBaseline> baseline) {
        Optional<List<Gpu>> parsed = parse(fields, exitStatus, output);
        if (parsed.isEmpty()) {
            String why = invalidField(output).map(f -> ": nvidia-smi does not know the field " + f).orElse("");
            return new CheckOutcome(check, CheckStatus.ERROR, "nvidia-smi GPU state query unreadable (exit " + exitStatus
                    + ")" + why, CheckOutcome.Cause.NONE, Map.of(), output);
        }
        List<Gpu> gpus = parsed.get();
        return switch (check) {
            case "vbios" -> vbios(gpus, parameters, baseline, output);
            case "gpu-modes" -> modes(gpus, parameters, baseline, output);
            case "ecc" -> ecc(gpus, parameters, output);
            default -> clockEvents(gpus, output);
        };
    }

    private static CheckOutcome vbios(List<Gpu> gpus, Map<String, Object> parameters, Optional<GpuBaseline> baseline, String raw) {
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
        if (expected == null && baseline.isPresent()) {
            for (Gpu gpu : gpus) {
                Optional<String> before = baseline.get().gpu(gpu.index()).map(GpuBaseline.Gpu::vbios).filter(GpuStateQuery::known);
                if (before.isPresent() && known(gpu.vbios()) && !before.get().equals(gpu.vbios())) {
                    return CheckOutcome.fail("vbios", CheckOutcome.Cause.HARDWARE, "GPU " + gpu.index() + " VBIOS changed from "
                            + before.get() + " to " + gpu.vbios() + " during a driver upgrade", figures, raw);
                }
            }
        }
        return CheckOutcome.pass("vbios", "VBIOS " + (versions.isEmpty() ? "not reported" : versions.iterator().next())
                + " on all GPUs", figures, raw);
    }

    private static CheckOutcome modes(List<Gpu> gpus, Map<String, Object> parameters, Optional<GpuBaseline> baseline, String raw) {
        boolean require = !Boolean.FALSE.equals(parameters.get("requirePersistence"));
        List<Integer> off = gpus.stream().filter(g -> known(g.persistence()) && !g.persistence().equals("Enabled"))
                .map(Gpu::index).toList();
        Set<String> mig = new LinkedHashSet<>();
        gpus.stream().map(Gpu::mig).filter(GpuStateQuery::known).forEach(mig::add);
        Map<String, Object> figures = Map.of("persistenceOff", off, "mig", List.copyOf(mig));
        if (require && !off.isEmpty()) {
            return CheckOutcome.fail("gpu-modes", CheckOutcome.Cause.DRIVER, "persistence mode off on GPU " + off, figures, raw);
        }
        if (baseline.isPresent()) {
            List<String> changed = new ArrayList<>();
            for (Gpu gpu : gpus) {
                baseline.get().gpu(gpu.index()).map(GpuBaseline.Gpu::mig).filter(GpuStateQuery::known)
                        .filter(before -> known(gpu.mig()) && !before.equals(gpu.mig()))
                        .ifPresent(before -> changed.add("GPU " + gpu.index() + " " + before + " before, " + gpu.mig() + " now"));
            }
            if (!changed.isEmpty()) {
                return CheckOutcome.fail("gpu-modes", CheckOutcome.Cause.DRIVER, "MIG mode changed by the upgrade: "
                        + String.join("; ", changed), figures, raw);
            }
        }
        return CheckOutcome.pass("gpu-modes", "persistence mode on; MIG " + (mig.isEmpty() ? "not supported" : mig)
                + (baseline.isPresent() ? " as before" : ""), figures, raw);
    }

    private static CheckOutcome ecc(List<Gpu> gpus, Map<String, Object> parameters, String raw) {
        long allowed = parameters.get("maxUncorrectedVolatile") instanceof Number n ? n.longValue() : 0;
        List<String> problems = new ArrayList<>();
        for (Gpu gpu : gpus) {
            String uncorrected = gpu.value("ecc.errors.uncorrected.volatile.total");
            if (known(uncorrected) && number(uncorrected) > allowed) {
                problems.add("GPU " + gpu.index() + ": " + uncorrected + " uncorrectable ECC errors");
            }
            if (yes(gpu.value("remapped_rows.pending"))) {
                problems.add("GPU " + gpu.index() + ": row remap pending");
            }
            if (yes(gpu.value("remapped_rows.failure"))) {
                problems.add("GPU " + gpu.index() + ": row remap failed");
            }
            if (yes(gpu.value("retired_pages.pending"))) {
                problems.add("GPU " + gpu.index() + ": page retirement pending");
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("problems", problems);
        figures.put("signature", "ecc");
        return problems.isEmpty() ? CheckOutcome.pass("ecc", "no uncorrectable ECC errors, no pending or failed row remaps"
                + " or page retirements", figures, raw)
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

    static boolean known(String value) {
        return value != null && !value.isEmpty() && !value.startsWith("[");
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
