package io.waveline.plan;

import java.util.List;

/**
 * Fleet-wide limits that hold across all waves. {@code maxUnavailable} counts nodes already unavailable before
 * the rollout touches them, as the NVIDIA upgrade controller does. {@code power} caps the heavy checks per rack.
 */
public record Limits(Quantity maxUnavailable, List<FailureDomainLimit> failureDomains,
        List<MaintenanceWindow> maintenanceWindows, java.util.Optional<PowerBudget> power) {

    public Limits(Quantity maxUnavailable, List<FailureDomainLimit> failureDomains, List<MaintenanceWindow> maintenanceWindows) {
        this(maxUnavailable, failureDomains, maintenanceWindows, java.util.Optional.empty());
    }

    public static final Quantity DEFAULT_MAX_UNAVAILABLE = Quantity.percentage(25);
}
