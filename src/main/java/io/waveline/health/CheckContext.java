package io.waveline.health;

import java.util.Optional;

/**
 * What the checks compare against (the driver version the node should run, its pre-upgrade GPU count) and which
 * checks of the catalog the plan asks for beyond the basic ones.
 */
public record CheckContext(Optional<String> expectedDriver, Optional<Integer> baselineGpuCount,
        java.util.List<CheckRequest> requested) {

    public CheckContext(Optional<String> expectedDriver, Optional<Integer> baselineGpuCount) {
        this(expectedDriver, baselineGpuCount, java.util.List.of());
    }
}
