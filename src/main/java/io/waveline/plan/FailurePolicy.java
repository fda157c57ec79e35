package io.waveline.plan;

/**
 * What happens when nodes fail: a wave may lose up to {@code failuresAllowedPerWave} nodes; one more and the
 * rollout halts and acts as {@code onFailure} says. Hardware faults quarantine the node instead of counting,
 * unless the same signature shows on more than {@code hardwareSignatureLimit} nodes of a wave.
 */
public record FailurePolicy(Quantity failuresAllowedPerWave, OnFailure onFailure, boolean quarantineHardwareFaults,
        int hardwareSignatureLimit) {

    public enum OnFailure {
        ROLLBACK_WAVE("rollback-wave"), ROLLBACK_FAILED("rollback-failed"), ROLLBACK_ALL("rollback-all"),
        HALT("halt");

        private final String word;

        OnFailure(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public static FailurePolicy defaults() {
        return new FailurePolicy(Quantity.count(0), OnFailure.ROLLBACK_WAVE, true, 1);
    }
}
