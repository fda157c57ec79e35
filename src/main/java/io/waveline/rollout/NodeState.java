package io.waveline.rollout;

import java.util.EnumSet;
import java.util.Set;

/**
 * One node's place in the pipeline (see the architecture):
 * PENDING → CORDONING → WAITING_FOR_JOBS → DRAINING → UPGRADING → REBOOTING → VALIDATING → [BURN_IN] → UNCORDONING →
 * SUCCEEDED (BURN_IN only when the wave has heavy checks: it waits for the rack's power budget, then runs them);
 * a failed step → FAILED → ROLLING_BACK → REBOOTING → VALIDATING → UNCORDONING → ROLLED_BACK; a hardware fault →
 * QUARANTINED (stays cordoned); SKIPPED when the node never started.
 */
public enum NodeState {
    PENDING, CORDONING, WAITING_FOR_JOBS, DRAINING, UPGRADING, REBOOTING, VALIDATING, BURN_IN, UNCORDONING, SUCCEEDED,
    FAILED, ROLLING_BACK, ROLLED_BACK, QUARANTINED, SKIPPED;

    private static final Set<NodeState> WORKING = EnumSet.of(CORDONING, WAITING_FOR_JOBS, DRAINING, UPGRADING,
            REBOOTING, VALIDATING, BURN_IN, UNCORDONING, ROLLING_BACK);
    private static final Set<NodeState> SETTLED = EnumSet.of(SUCCEEDED, FAILED, ROLLED_BACK, QUARANTINED, SKIPPED);

    /** A step is under way: the engine keeps stepping the node. */
    public boolean working() {
        return WORKING.contains(this);
    }

    /** Nothing more happens to the node unless the engine decides it rolls back. */
    public boolean settled() {
        return SETTLED.contains(this);
    }

    /** Cordoned, out of service: counts against maxUnavailable and the failure-domain limits. */
    public boolean outOfService() {
        return working() || this == FAILED || this == QUARANTINED;
    }
}
