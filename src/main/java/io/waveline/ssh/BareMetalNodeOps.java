package io.waveline.ssh;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

import io.waveline.plan.LabelSelector;
import io.waveline.plan.MethodSettings;
import io.waveline.rollout.port.DrainProgress;
import io.waveline.rollout.port.DrainSpec;
import io.waveline.rollout.port.NodeOperationsSelection;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Node operations for hosts that no scheduler holds, reached over SSH only: nothing schedules work there, so
 * there is nothing to cordon, wait for or drain, and nothing to show the state on; the node is out of service
 * because Waveline is working on it.
 */
@ApplicationScoped
public class BareMetalNodeOps implements NodeOperationsSelection.BareMetal {

    @Override
    public boolean drains() {
        return false;
    }

    @Override
    public Cordon cordon(String node, long rolloutId) {
        return Cordon.NOTHING;
    }

    @Override
    public void uncordon(String node, String outcome) {
    }

    @Override
    public List<String> runningJobs(String node, LabelSelector jobs) {
        return List.of();
    }

    @Override
    public DrainProgress drain(String node, DrainSpec spec, Duration elapsed) {
        return new DrainProgress(true, List.of(), List.of(), Optional.empty(), false);
    }

    @Override
    public void mirror(String node, long rolloutId, String state, Optional<String> reason) {
    }

    @Override
    public Optional<Readiness> afterUpgrade(String node, int baselineAllocatable, MethodSettings settings) {
        return Optional.empty();
    }
}
