package io.waveline.health;

import io.waveline.rollout.port.CheckRunner;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;

/** A check runner over SSH for tests that answer its commands from a simulated host themselves; no detached jobs. */
abstract class SimCheckRunner implements CheckRunner {

    @Override
    public String kind() {
        return CheckRunner.SSH;
    }

    @Override
    public void start(NodeAddress node, String jobId, String command) {
        throw new UnsupportedOperationException("no heavy checks here");
    }

    @Override
    public JobStatus poll(NodeAddress node, String jobId) {
        throw new UnsupportedOperationException("no heavy checks here");
    }
}
