package io.waveline.rollout;

/** Where the current wave stands: waiting for its approval, running its nodes, or soaking after them. */
public enum WavePhase {
    AWAITING_APPROVAL, RUNNING, SOAKING
}
