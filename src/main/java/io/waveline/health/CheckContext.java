package io.waveline.health;

import java.util.Optional;

/** What a check compares against: the driver version the node should run and its pre-upgrade baseline. */
public record CheckContext(Optional<String> expectedDriver, Optional<Integer> baselineGpuCount) {
}
