package io.waveline.plan;

/**
 * Checks of a whole wave, after all its nodes settled and again at the end of its soak: a fresh XID scan of the
 * wave's upgraded nodes ({@code xid}, on unless the plan turns it off; fatal set from the plan's {@code xid} check
 * when it has one). A GPU that fails under real load during the soak shows up here, after its node passed.
 */
public record WaveChecks(boolean xid) {

    public static WaveChecks defaults() {
        return new WaveChecks(true);
    }
}
