package io.waveline.health;

import java.util.List;
import java.util.Map;

import io.waveline.plan.Components;
import io.waveline.rollout.port.CheckOutcome;

/**
 * The firmware methods' own check ({@code firmware-version}): after the reset, the firmware read back (from the BMC's
 * inventory or the host tools) is the wanted one for every component. Firmware that did not activate fails as a
 * driver/software fault, so the wave's budget and rollback apply.
 */
public final class FirmwareVersionCheck {

    private FirmwareVersionCheck() {
    }

    /** {@code reader}: who reported {@code running}, as the summary starts ({@code "BMC reports "}). */
    public static CheckOutcome readBack(Map<String, String> wanted, Map<String, String> running, String reader) {
        return readBack(wanted, running, Map.of(), reader);
    }

    /**
     * As above, knowing what is burned: a component burned at the wanted version but still running the old one is
     * pending activation, which the reset should have done; the failure says so.
     */
    public static CheckOutcome readBack(Map<String, String> wanted, Map<String, String> running, Map<String, String> burned,
            String reader) {
        List<String> wrong = wanted.entrySet().stream().filter(e -> !e.getValue().equals(running.get(e.getKey())))
                .map(e -> e.getKey() + " runs " + running.getOrDefault(e.getKey(), "nothing") + ", expected " + e.getValue()
                        + (e.getValue().equals(burned.get(e.getKey())) ? " (burned, pending activation: the reset did not activate it)" : ""))
                .toList();
        return wrong.isEmpty() ? CheckOutcome.pass("firmware-version", reader + Components.describe(wanted), Map.copyOf(running), "")
                : CheckOutcome.fail("firmware-version", CheckOutcome.Cause.DRIVER, String.join("; ", wrong) + " after activation",
                        Map.copyOf(running), "");
    }
}
