package io.waveline.plan;

import java.time.Duration;
import java.util.Optional;

/** How a node is emptied before its upgrade (Kubernetes nodes; bare-metal nodes only cordon in the scheduler). */
public record DrainSettings(boolean enabled, Duration timeout, Duration gracePeriod,
        Optional<LabelSelector> podSelector, boolean deleteEmptyDir, boolean force,
        Optional<WaitForJobs> waitForJobs) {

    public static DrainSettings defaults() {
        return new DrainSettings(true, Duration.ofMinutes(10), Duration.ofSeconds(30), Optional.empty(), false,
                false, Optional.empty());
    }

    /** Wait for matching pods (training jobs) to finish before draining; on timeout drain anyway or skip. */
    public record WaitForJobs(LabelSelector podSelector, Duration timeout, OnTimeout onTimeout) {
    }

    public enum OnTimeout {
        DRAIN("drain"), SKIP_NODE("skip-node");

        private final String word;

        OnTimeout(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }
}
