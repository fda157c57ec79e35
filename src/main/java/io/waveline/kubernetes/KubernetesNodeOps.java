package io.waveline.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.plan.LabelSelector;
import io.waveline.plan.MethodSettings;
import io.waveline.plan.NodeFacts;
import io.waveline.rollout.port.DrainProgress;
import io.waveline.rollout.port.DrainSpec;
import io.waveline.rollout.port.NodeOperations;
import io.waveline.rollout.port.NodeUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * {@link NodeOperations} for nodes found in the Kubernetes cluster ({@link NodeFacts#KUBERNETES_MARKER}): cordon,
 * drain and labels through the API ({@link KubernetesNodes}); after the upgrade, the node Ready with its GPUs
 * offered again and the GPU Operator's validator pods ready, waited for up to the plan's {@code validatorTimeout}
 * (gpu-operator method) or {@code waveline.kubernetes.validator-timeout}. API failures are transient.
 */
@ApplicationScoped
public class KubernetesNodeOps implements NodeOperations {

    @Inject
    KubernetesNodes nodes;

    @Inject
    KubernetesSettings settings;

    @Override
    public boolean manages(Map<String, String> labels) {
        return labels.containsKey(NodeFacts.KUBERNETES_MARKER);
    }

    @Override
    public Duration evictionBackoff() {
        return settings.evictionBackoff();
    }

    @Override
    public Cordon cordon(String node, long rolloutId) throws NodeUnreachableException {
        boolean before = KubernetesCalls.call(() -> nodes.cordon(node, rolloutId));
        return new Cordon(before, Optional.of(KubernetesCalls.call(() -> nodes.allocatableGpus(node))));
    }

    @Override
    public void uncordon(String node, String outcome) throws NodeUnreachableException {
        KubernetesCalls.call(() -> nodes.uncordon(node, outcome));
    }

    @Override
    public List<String> runningJobs(String node, LabelSelector jobs) throws NodeUnreachableException {
        return KubernetesCalls.call(() -> nodes.runningJobs(node, jobs));
    }

    @Override
    public DrainProgress drain(String node, DrainSpec spec, Duration elapsed) throws NodeUnreachableException {
        return KubernetesCalls.call(() -> nodes.drain(node, spec, elapsed));
    }

    @Override
    public void mirror(String node, long rolloutId, String state, Optional<String> reason) throws NodeUnreachableException {
        KubernetesCalls.run(() -> nodes.mirror(node, rolloutId, state, reason));
    }

    @Override
    public Optional<Readiness> afterUpgrade(String node, int baselineAllocatable, MethodSettings plan)
            throws NodeUnreachableException {
        String namespace = plan.namespace().orElse(settings.operatorNamespace());
        return Optional.of(new Readiness(KubernetesCalls.call(() -> nodes.afterUpgrade(node, baselineAllocatable, namespace)),
                plan.validatorTimeout().orElse(settings.validatorTimeout())));
    }
}
