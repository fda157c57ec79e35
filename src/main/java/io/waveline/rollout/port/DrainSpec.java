package io.waveline.rollout.port;

import java.util.Optional;

import io.waveline.plan.DrainSettings;
import io.waveline.plan.LabelSelector;

/**
 * The plan's {@code drain} settings as frozen on a node run (plain values, so they survive in JSON): whether to
 * drain, the timeout and grace period in seconds, which pods to evict, whether pods with emptyDir volumes may go,
 * whether to delete pods after the timeout, and the wait for training jobs before the drain.
 */
public record DrainSpec(boolean enabled, long timeoutSeconds, long gracePeriodSeconds, String podSelector,
        boolean deleteEmptyDir, boolean force, String waitForJobsSelector, long waitForJobsTimeoutSeconds,
        String waitForJobsOnTimeout) {

    public static DrainSpec of(DrainSettings d) {
        return new DrainSpec(d.enabled(), d.timeout().toSeconds(), d.gracePeriod().toSeconds(),
                d.podSelector().map(LabelSelector::text).orElse(null), d.deleteEmptyDir(), d.force(),
                d.waitForJobs().map(w -> w.podSelector().text()).orElse(null),
                d.waitForJobs().map(w -> w.timeout().toSeconds()).orElse(0L),
                d.waitForJobs().map(w -> w.onTimeout().word()).orElse(null));
    }

    public Optional<LabelSelector> pods() {
        return selector(podSelector);
    }

    public Optional<LabelSelector> jobs() {
        return selector(waitForJobsSelector);
    }

    public boolean skipNodeWhenJobsRunLong() {
        return "skip-node".equals(waitForJobsOnTimeout);
    }

    private static Optional<LabelSelector> selector(String text) {
        if (text == null || text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LabelSelector.parse(text));
        } catch (LabelSelector.SyntaxException e) {
            throw new IllegalStateException("a frozen plan holds an invalid selector " + text, e);
        }
    }
}
