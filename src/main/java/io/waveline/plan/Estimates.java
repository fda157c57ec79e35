package io.waveline.plan;

import java.math.BigDecimal;
import java.time.Duration;

/**
 * Per-node step durations and the price of a GPU-hour, used only by the preview. A node is out of service for
 * the sum of the steps, from cordon to uncordon.
 */
public record Estimates(Duration drain, Duration upgrade, Duration reboot, Duration validation,
        BigDecimal gpuHourUsd) {

    public static Estimates defaults() {
        return new Estimates(Duration.ofMinutes(10), Duration.ofMinutes(8), Duration.ofMinutes(6),
                Duration.ofMinutes(5), BigDecimal.ZERO);
    }

    public Duration perNode() {
        return drain.plus(upgrade).plus(reboot).plus(validation);
    }
}
