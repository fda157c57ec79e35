package io.waveline.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import io.waveline.plan.PlanReview;

/** The start-up warm-up goes the whole way a user's preview goes: a valid plan, previewed wave by wave. */
class PlanWarmUpTest {

    @Test
    void theWarmUpPlanIsValidAndPreviewedOverItsMadeUpFleet() {
        PlanReview review = PlanReports.warmUpReview(Instant.parse("2026-12-02T00:00:00Z"));
        assertThat(review.errors()).isEmpty();
        assertThat(review.preview()).hasValueSatisfying(preview -> {
            assertThat(preview.waves()).hasSize(2);
            assertThat(preview.nodesToUpgrade()).isEqualTo(4);
        });
    }
}
