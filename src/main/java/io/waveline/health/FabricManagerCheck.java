package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code fabric-manager} check on NVSwitch systems: the service is active, {@code nv-fabricmanager --version}
 * reports the driver's exact version, and the journal has no "don't match" (or "doesn't match") line, which Fabric
 * Manager writes when its version differs from the driver's ({@code fabric manager NVIDIA GPU driver interface version
 * 590.48.01 don't match with driver version 580.126.09. Please update with matching NVIDIA driver package.}): those
 * point at the driver/software. One exception: {@code detected number of NVSwitches don't match with any supported
 * system topology, aborting fabric manager} means NVSwitches are missing or failed: a baseboard or NVSwitch problem,
 * hardware. Pure.
 */
public final class FabricManagerCheck {

    public static final String ACTIVE = "systemctl is-active nvidia-fabricmanager";
    public static final String VERSION = "nv-fabricmanager --version";
    public static final String JOURNAL = "journalctl -u nvidia-fabricmanager -b --no-pager -n 200";
    private static final Pattern VERSION_LINE = Pattern.compile("Fabric Manager version is\\s*:\\s*([0-9][0-9.]*)");
    private static final Pattern MISMATCH = Pattern.compile(".*(don't|doesn't) match.*");
    private static final Pattern TOPOLOGY = Pattern.compile(".*number of NVSwitches (don't|doesn't) match with any supported system topology.*");

    private FabricManagerCheck() {
    }

    public static CheckOutcome evaluate(String active, String version, String journal, Optional<String> expectedDriver) {
        Matcher versionLine = VERSION_LINE.matcher(version);
        String found = versionLine.find() ? versionLine.group(1) : "unknown";
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("active", active.strip());
        figures.put("version", found);
        String raw = active + version + journal;
        Optional<String> topology = journal.lines().filter(l -> TOPOLOGY.matcher(l).matches()).reduce((a, b) -> b);
        if (topology.isPresent()) {
            figures.put("signature", "nvswitch-topology");
            return CheckOutcome.fail("fabric-manager", CheckOutcome.Cause.HARDWARE, "NVSwitch topology: " + topology.get()
                    .replaceFirst("^.*?nv-fabricmanager\\[\\d+\\]:\\s*", "").replaceFirst("^\\[[^\\]]*\\]\\s*(\\[[A-Z]+\\]\\s*)?(\\[tid \\d+\\]\\s*)?", "").strip()
                    + " (NVSwitches missing or failed: a baseboard or NVSwitch problem)", figures, active + version + journal);
        }
        if (!active.strip().equals("active")) {
            return CheckOutcome.fail("fabric-manager", CheckOutcome.Cause.DRIVER, "Fabric Manager is not running ("
                    + (active.isBlank() ? "no answer" : active.strip()) + ")", figures, raw);
        }
        Optional<String> mismatch = journal.lines().filter(l -> MISMATCH.matcher(l).matches() && !TOPOLOGY.matcher(l).matches())
                .reduce((a, b) -> b);
        if (mismatch.isPresent()) {
            return CheckOutcome.fail("fabric-manager", CheckOutcome.Cause.DRIVER, "Fabric Manager and driver do not match: "
                    + mismatch.get().replaceFirst("^.*?nv-fabricmanager\\[\\d+\\]:\\s*", "").strip(), figures, raw);
        }
        if (expectedDriver.isPresent() && !expectedDriver.get().equals(found)) {
            return CheckOutcome.fail("fabric-manager", CheckOutcome.Cause.DRIVER, "Fabric Manager " + found
                    + " does not match driver " + expectedDriver.get(), figures, raw);
        }
        return CheckOutcome.pass("fabric-manager", "Fabric Manager " + found + " active", figures, raw);
    }
}
