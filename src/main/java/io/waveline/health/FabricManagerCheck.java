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
 * Manager writes when its version differs from the driver's. Any failure points at the driver/software. Pure.
 */
public final class FabricManagerCheck {

    public static final String ACTIVE = "systemctl is-active nvidia-fabricmanager";
    public static final String VERSION = "nv-fabricmanager --version";
    public static final String JOURNAL = "journalctl -u nvidia-fabricmanager -b --no-pager -n 200";
    private static final Pattern VERSION_LINE = Pattern.compile("Fabric Manager version is\\s*:\\s*([0-9][0-9.]*)");
    private static final Pattern MISMATCH = Pattern.compile(".*(don't|doesn't) match.*");

    private FabricManagerCheck() {
    }

    public static CheckOutcome evaluate(String active, String version, String journal, Optional<String> expectedDriver) {
        Matcher versionLine = VERSION_LINE.matcher(version);
        String found = versionLine.find() ? versionLine.group(1) : "unknown";
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("active", active.strip());
        figures.put("version", found);
        String raw = active + version + journal;
        if (!active.strip().equals("active")) {
            return CheckOutcome.fail("fabric-manager", CheckOutcome.Cause.DRIVER, "Fabric Manager is not running ("
                    + (active.isBlank() ? "no answer" : active.strip()) + ")", figures, raw);
        }
        Optional<String> mismatch = journal.lines().filter(l -> MISMATCH.matcher(l).matches()).reduce((a, b) -> b);
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
