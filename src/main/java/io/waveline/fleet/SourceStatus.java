package io.waveline.fleet;

import java.time.Instant;
import java.util.List;

import io.waveline.plan.PlanError;

/** How an inventory source fared on its last read: a broken file keeps the nodes it gave last time. */
public record SourceStatus(String name, boolean healthy, int nodes, Instant lastAttemptAt, Instant lastSuccessAt,
        List<PlanError> errors) {
}
