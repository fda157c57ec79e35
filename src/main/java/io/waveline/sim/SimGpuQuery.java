package io.waveline.sim;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

import io.waveline.rollout.port.CommandResult;

/** A simulated host's answers to {@code nvidia-smi --query-gpu}, from what the host runs now. */
final class SimGpuQuery {

    static final String[] BUS_IDS = {"18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"};

    /** What the query shows of a host. */
    record View(String name, SimHardware hardware, String loadedDriver, String installedDriver, boolean mismatch, int visibleGpus,
            boolean doubleBitError) {
    }

    private SimGpuQuery() {
    }

    static java.util.List<String> uuids(String name, int gpuCount) {
        java.util.List<String> uuids = new java.util.ArrayList<>();
        for (int i = 0; i < gpuCount; i++) {
            uuids.add("GPU-" + UUID.nameUUIDFromBytes((name + "/" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return uuids;
    }

    /**
     * {@code nvidia-smi --query-gpu=<fields> --format=csv,noheader}: one line per visible GPU, the fields in the order
     * asked. A field this GPU generation or driver does not know fails the whole query, as the real tool does. With
     * the gpu-missing fault the last GPU is the one gone.
     */
    static CommandResult query(View host, String[] fields) {
        if (host.mismatch()) {
            return new CommandResult(18, "Failed to initialize NVML: Driver/library version mismatch\n"
                    + "NVML library version: " + host.installedDriver() + "\n");
        }
        int major = driverMajor(host.loadedDriver());
        SimHardware hardware = host.hardware();
        for (String field : fields) {
            boolean known = switch (field) {
                case "retired_pages.pending" -> hardware.preAmpere();
                case "remapped_rows.pending", "remapped_rows.failure" -> !hardware.preAmpere();
                case "clocks_event_reasons.active" -> major >= 535;
                case "index", "uuid", "pci.bus_id", "driver_version", "vbios_version", "persistence_mode", "mig.mode.current",
                        "ecc.errors.uncorrected.volatile.total", "clocks_throttle_reasons.active", "name" -> true;
                default -> false;
            };
            if (!known) {
                return new CommandResult(2, "Field \"" + field + "\" is not a valid field to query.\n\n");
            }
        }
        boolean dbe = host.doubleBitError();
        java.util.List<String> uuids = uuids(host.name(), host.hardware().gpuCount());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < host.visibleGpus(); i++) {
            boolean bad = dbe && i == 3;
            java.util.List<String> values = new java.util.ArrayList<>();
            for (String field : fields) {
                values.add(switch (field) {
                    case "index" -> Integer.toString(i);
                    case "uuid" -> uuids.get(i);
                    case "pci.bus_id" -> "00000000:" + BUS_IDS[i % BUS_IDS.length] + ":00.0";
                    case "driver_version" -> host.loadedDriver();
                    case "name" -> hardware.product();
                    case "vbios_version" -> hardware.vbios();
                    case "persistence_mode" -> "Enabled";
                    case "mig.mode.current" -> hardware.nvlinksPerGpu() > 0 ? "Disabled" : "[N/A]";
                    case "ecc.errors.uncorrected.volatile.total" -> bad ? "2" : "0";
                    case "remapped_rows.pending" -> bad ? "Yes" : "No";
                    case "retired_pages.pending" -> bad ? "Yes" : "No";
                    case "remapped_rows.failure" -> "No";
                    default -> "0x0000000000000000";
                });
            }
            out.append(String.join(", ", values)).append('\n');
        }
        return new CommandResult(0, out.toString());
    }

    static int driverMajor(String loadedDriver) {
        try {
            return Integer.parseInt(String.valueOf(loadedDriver).split("\\.")[0]);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
