package io.waveline.rollout;

/**
 * What a failure says about the cause, and so what may be done about it (the architecture's triage):
 * a driver/software fault counts against the wave's budget and is rolled back; a hardware fault quarantines the
 * node; a transient error is retried with backoff, and becomes a driver/software failure when retries run out.
 */
public enum FailureClass {
    DRIVER, HARDWARE, TRANSIENT
}
