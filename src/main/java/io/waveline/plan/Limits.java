package io.waveline.plan;

import java.util.List;

/**
 * Fleet-wide limits that hold across all waves. {@code maxUnavailable} counts nodes already unavailable before
 * the rollout touches them, as the NVIDIA upgrade controller does.
 */
public record Limits(Quantity maxUnavailable, List<FailureDomainLimit> failureDomains,
        List<MaintenanceWindow> maintenanceWindows) {

    public static final Quantity DEFAULT_MAX_UNAVAILABLE = Quantity.percentage(25);
}
