package io.waveline.plan;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Checks of a whole wave, after all its nodes settled and again at the end of its soak: a fresh XID scan of the
 * wave's upgraded nodes ({@code xid}, on unless the plan turns it off; fatal set from the plan's {@code xid} check
 * when it has one). A GPU that fails under real load during the soak shows up here, after its node passed.
 * Optionally ({@code nccl}) one NCCL all-reduce across the wave's nodes after the wave, which tests the network
 * between them; a failure fails the wave.
 */
public record WaveChecks(boolean xid, Optional<MultiNodeNccl> nccl) {

    /** {@code waves} empty: every wave with at least two upgraded nodes. */
    public record MultiNodeNccl(double minBusBandwidthGBps, String size, Optional<Integer> gpusPerNode, List<String> waves,
            Duration timeout) {

        public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(20);

        public boolean appliesTo(String wave) {
            return waves.isEmpty() || waves.contains(wave);
        }
    }

    public static WaveChecks defaults() {
        return new WaveChecks(true, Optional.empty());
    }
}
