package io.waveline.ui;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import io.quarkus.qute.TemplateExtension;
import io.waveline.plan.Durations;

/** How the pages write durations and times: {@code {d.human}} as plans write them (1h30m), {@code {t.human}} to the second. */
@TemplateExtension
final class TemplateFormats {

    private TemplateFormats() {
    }

    static String human(Duration duration) {
        return duration == null ? "-" : Durations.format(duration.withNanos(0));
    }

    static String human(Instant at) {
        return at == null ? "-" : at.truncatedTo(ChronoUnit.SECONDS).toString().replace('T', ' ').replace("Z", " UTC");
    }

    static String percent(double value) {
        return String.format("%.1f %%", value);
    }

    static String one(double value) {
        return String.format("%.1f", value);
    }
}
