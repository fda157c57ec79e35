package io.waveline.health;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Parses {@code nvidia-smi --query-gpu=index,uuid,pci.bus_id,driver_version --format=csv,noheader}: one line per
 * GPU, fields joined by ", ". Recognizes nvidia-smi's failure strings (see gpu-health.md); never throws.
 */
public final class NvidiaSmiQuery {

    public static final String COMMAND = "nvidia-smi --query-gpu=index,uuid,pci.bus_id,driver_version --format=csv,noheader";
    public static final String MISMATCH = "Failed to initialize NVML: Driver/library version mismatch";
    private static final List<String> FAILURES = List.of(MISMATCH, "No devices were found",
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver",
            "Failed to initialize NVML: No supported GPUs were found");

    public record Gpu(int index, String uuid, String busId, String driverVersion) {
    }

    /** Either the GPUs or the reason nvidia-smi could not list them. */
    public record Result(List<Gpu> gpus, Optional<String> failure, boolean mismatch) {
    }

    private NvidiaSmiQuery() {
    }

    public static Result parse(int exitStatus, String output) {
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
