package io.waveline.rollout;

/**
 * What a failure says about the cause, and so what may be done about it (the architecture's triage):
 * a driver/software fault counts against the wave's budget and is rolled back; a hardware fault quarantines the
 * node; a transient error is retried with backoff and counts like a driver fault when retries run out; an access
 * failure (the node's SSH host key is not the known one) is never retried nor rolled back, since Waveline will not
 * run commands there, and counts against the budget. A blocked node (a Kubernetes drain that timed out without
 * {@code force}, a pod that may not be evicted) was never changed: it is uncordoned, not rolled back, and counts
 * against the budget. A bug (an exception Waveline did not expect) fails the node loudly, with its stack in the log
 * and an event: it is never retried as if the network had dropped, nor rolled back, and it counts against the budget.
 */
public enum FailureClass {
    DRIVER, HARDWARE, TRANSIENT, ACCESS, BLOCKED, BUG
}
