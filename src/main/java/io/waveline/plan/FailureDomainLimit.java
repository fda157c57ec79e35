package io.waveline.plan;

/** At most {@code maxUnavailable} nodes sharing one value of the label {@code labelKey} may be out at once. */
public record FailureDomainLimit(String labelKey, int maxUnavailable) {
}
