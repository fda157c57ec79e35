package io.waveline.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code nvidia-smi --query-gpu=index,uuid,pci.bus_id,driver_version --format=csv,noheader}: one line per
 * GPU, fields joined by ", ". Recognizes nvidia-smi's failure strings (health-checks.md, "Tool output as it really
 * is"): the driver/library mismatch after an install (newer drivers add {@code NVML library version: 580.173} on the
 * next line), the driver not loaded, no devices; and a GPU nvidia-smi cannot reach ({@code Unable to determine the
 * device handle for GPU1: 0000:34:00.0: Unknown Error}, or {@code … GPU is lost}), which is the hardware. Never throws.
 */
public final class NvidiaSmiQuery {

    public static final String COMMAND = "nvidia-smi --query-gpu=index,uuid,pci.bus_id,driver_version --format=csv,noheader";
    public static final String MISMATCH = "Failed to initialize NVML: Driver/library version mismatch";
    private static final List<String> FAILURES = List.of(MISMATCH, "No devices were found",
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver",
            "Failed to initialize NVML: No supported GPUs were found");
    /** A GPU that does not answer the driver: fallen off the bus, lost. */
    private static final java.util.regex.Pattern LOST = java.util.regex.Pattern.compile(
            "Unable to determine the device handle for (?:GPU|gpu)\\s*[^\\n]*|[^\\n]*GPU is lost[^\\n]*");

    public record Gpu(int index, String uuid, String busId, String driverVersion) {
    }

    /** Either the GPUs or the reason nvidia-smi could not list them ({@code hardware}: a GPU it cannot reach). */
    public record Result(List<Gpu> gpus, Optional<String> failure, boolean mismatch, boolean hardware) {
        Result(List<Gpu> gpus, Optional<String> failure, boolean mismatch) {
            this(gpus, failure, mismatch, false);
        }
    }

    /** The {@code nvidia-smi} check's failure for a result that has one: the mismatch, a lost GPU (hardware), or the driver. */
    public static io.waveline.rollout.port.CheckOutcome failure(Result result, String raw) {
        io.waveline.rollout.port.CheckOutcome.Cause cause = result.mismatch() ? io.waveline.rollout.port.CheckOutcome.Cause.NVML_MISMATCH
                : result.hardware() ? io.waveline.rollout.port.CheckOutcome.Cause.HARDWARE : io.waveline.rollout.port.CheckOutcome.Cause.DRIVER;
        return io.waveline.rollout.port.CheckOutcome.fail("nvidia-smi", cause, "nvidia-smi failed: " + result.failure().orElse("?"),
                result.hardware() ? java.util.Map.of("signature", "gpu-lost") : java.util.Map.of(), raw);
    }

    private NvidiaSmiQuery() {
    }

    public static Result parse(int exitStatus, String output) {
        // The pattern is tried only where its words are: a line-long greedy match at every position costs quadratic time.
        java.util.regex.Matcher lost = LOST.matcher(output);
        if ((output.contains("GPU is lost") || output.contains("Unable to determine the device handle for")) && lost.find()) {
            return new Result(List.of(), Optional.of(lost.group().strip()), false, true);
        }
        for (String failure : FAILURES) {
            if (output.contains(failure)) {
                return new Result(List.of(), Optional.of(failure), failure.equals(MISMATCH));
            }
        }
        if (exitStatus != 0) {
            return new Result(List.of(), Optional.of("nvidia-smi exited with " + exitStatus + ": " + firstLine(output)), false);
        }
        List<Gpu> gpus = new ArrayList<>();
        for (String line : output.split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            String[] fields = line.split(",\\s*");
            if (fields.length < 4) {
                return new Result(List.of(), Optional.of("unreadable nvidia-smi line: " + line.strip()), false);
            }
            try {
                gpus.add(new Gpu(Integer.parseInt(fields[0].trim()), fields[1].trim(), fields[2].trim(), fields[3].trim()));
            } catch (NumberFormatException e) {
                return new Result(List.of(), Optional.of("unreadable nvidia-smi line: " + line.strip()), false);
            }
        }
        return new Result(List.copyOf(gpus), Optional.empty(), false);
    }

    private static String firstLine(String output) {
        return output.lines().findFirst().orElse("(no output)").strip();
    }
}
