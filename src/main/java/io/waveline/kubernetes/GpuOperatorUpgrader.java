package io.waveline.kubernetes;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.waveline.plan.LabelSelector;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.plan.MethodSettings;
import io.waveline.plan.MethodSpec.Method;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRunner;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.Upgrader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The {@code gpu-operator} method: moves one node at a time to a driver through the NVIDIA GPU Operator, instead
 * of letting the operator's own upgrade controller roll the whole cluster. The cluster runs the operator with
 * automatic driver upgrades off and one {@code NVIDIADriver} resource per driver version, each selecting nodes by
 * the label {@link #DRIVER_LABEL} (see docs/kubernetes.md). To move a node Waveline sets that label to the target
 * version and deletes the node's driver pod of another version; the operator then starts the target's driver pod
 * there. The "install job" is done when a driver pod of the target version is ready on the node (failed when it
 * crash-loops or its image cannot be pulled; past {@code waveline.engine.install-timeout} the node fails too); the driver pod's uid stands for the boot id, since a new driver pod is what reloads the driver. A
 * rollback moves the label back. Every call reads the node's real state first and is safe to repeat.
 */
@ApplicationScoped
public class GpuOperatorUpgrader implements Upgrader {

    public static final String DRIVER_LABEL = "waveline.io/nvidia-driver";
    /** The driver version in the driver image tag, e.g. {@code nvcr.io/nvidia/driver:570.133.20-ubuntu22.04}. */
    /** Waiting reasons that mean the driver pod will not come up by itself. */
    private static final java.util.Set<String> FAILING = java.util.Set.of("CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
            "CreateContainerConfigError", "InvalidImageName");
    private static final Pattern IMAGE_VERSION = Pattern.compile(":([0-9]+\\.[0-9]+(?:\\.[0-9]+)?)(?:-|$)");

    @Inject
    KubernetesClient client;

    @Inject
    KubernetesSettings settings;

    @Override
    public Method method() {
        return Method.GPU_OPERATOR;
    }

    /** The checks run in pods pinned to the node: the host is the operator's. */
    @Override
    public String checkRunner() {
        return CheckRunner.POD;
    }

    /** The method's own check: the node's ready driver pod runs the wanted driver. */
    @Override
    public Optional<CheckOutcome> verify(NodeAddress node, Map<String, String> wanted, MethodSettings planSettings)
            throws NodeUnreachableException {
        String driver = wanted.get("nvidia-driver");
        String running = installedVersions(node, planSettings).getOrDefault("nvidia-driver", "none");
        return Optional.of(driver.equals(running) ? CheckOutcome.pass("driver-version", "driver pod runs " + running, Map.of("driver", running), "")
                : CheckOutcome.fail("driver-version", CheckOutcome.Cause.DRIVER, "driver pod runs " + running + ", expected " + driver,
                        Map.of("driver", running), ""));
    }

    List<Pod> driverPods(String node) throws NodeUnreachableException {
        return driverPods(node, MethodSettings.NONE);
    }

    /** The operator's namespace: the plan's {@code namespace}, else {@code waveline.kubernetes.operator-namespace}. */
    public String namespace(MethodSettings planSettings) {
        return planSettings.namespace().orElse(settings.operatorNamespace());
    }

    List<Pod> driverPods(String node, MethodSettings planSettings) throws NodeUnreachableException {
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(settings.driverPodSelector());
        } catch (LabelSelector.SyntaxException e) {
            throw new IllegalStateException("waveline.kubernetes.driver-pod-selector is not a selector", e);
        }
        return KubernetesCalls.call(() -> client.pods().inNamespace(namespace(planSettings)).list().getItems()).stream()
                .filter(p -> p.getSpec() != null && node.equals(p.getSpec().getNodeName()))
                .filter(p -> selector.matches(p.getMetadata().getLabels() == null ? Map.of() : p.getMetadata().getLabels()))
                .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
                .sorted(Comparator.comparing((Pod p) -> p.getMetadata().getCreationTimestamp() == null ? ""
                        : p.getMetadata().getCreationTimestamp()).reversed())
                .toList();
    }

    static Optional<String> version(Pod pod) {
        return pod.getSpec().getContainers().stream().map(c -> IMAGE_VERSION.matcher(c.getImage() == null ? "" : c.getImage()))
                .filter(Matcher::find).map(m -> m.group(1)).findFirst();
    }

    static boolean ready(Pod pod) {
        return KubernetesNodes.podReady(pod);
    }

    static Optional<String> crashLooping(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return Optional.empty();
        }
        return pod.getStatus().getContainerStatuses().stream().map(ContainerStatus::getState)
                .filter(s -> s != null && s.getWaiting() != null && FAILING.contains(s.getWaiting().getReason()))
                .map(s -> s.getWaiting().getReason() + (s.getWaiting().getMessage() == null ? "" : ": " + s.getWaiting().getMessage()))
                .findFirst();
    }

    /** The uid of the newest ready driver pod on the node: it changes when the driver is reloaded. */
    @Override
    public String bootId(NodeAddress node, MethodSettings planSettings) throws NodeUnreachableException {
        return driverPods(node.name(), planSettings).stream().filter(GpuOperatorUpgrader::ready).findFirst().map(p -> p.getMetadata().getUid())
                .orElse("no-ready-driver-pod");
    }

    /** The driver the node's ready driver pod runs. */
    @Override
    public Map<String, String> installedVersions(NodeAddress node, MethodSettings planSettings) throws NodeUnreachableException {
        return driverPods(node.name(), planSettings).stream().filter(GpuOperatorUpgrader::ready).findFirst().flatMap(GpuOperatorUpgrader::version)
                .map(v -> Map.of("nvidia-driver", v)).orElse(Map.of());
    }

    @Override
    public String startInstall(NodeAddress node, String jobId, Map<String, String> versions, MethodSettings planSettings)
            throws NodeUnreachableException {
        String target = versions.get("nvidia-driver");
        if (target == null) {
            throw new IllegalArgumentException("the gpu-operator method moves nvidia-driver only");
        }
        KubernetesCalls.call(() -> client.nodes().withName(node.name()).patch(PatchContext.of(PatchType.JSON_MERGE),
                "{\"metadata\":{\"labels\":{\"" + DRIVER_LABEL + "\":\"" + target + "\"}}}"));
        for (Pod pod : driverPods(node.name(), planSettings)) {
            if (!version(pod).map(target::equals).orElse(false)) {
                KubernetesCalls.call(() -> client.pods().inNamespace(pod.getMetadata().getNamespace())
                        .withName(pod.getMetadata().getName()).delete());
            }
        }
        return null;
    }

    /**
     * NOT_FOUND while the node's label does not name the wanted version (the move has not started); RUNNING until a
     * driver pod of that version is ready on the node; DONE, failed, when it crash-loops.
     */
    @Override
    public JobStatus job(NodeAddress node, String jobId, String handle, Map<String, String> versions, MethodSettings planSettings)
            throws NodeUnreachableException {
        String wanted = versions.get("nvidia-driver");
        var current = KubernetesCalls.call(() -> client.nodes().withName(node.name()).get());
        String label = current == null || current.getMetadata().getLabels() == null ? null : current.getMetadata().getLabels().get(DRIVER_LABEL);
        if (!wanted.equals(label)) {
            return JobStatus.notFound();
        }
        for (Pod pod : driverPods(node.name(), planSettings)) {
            if (!version(pod).map(wanted::equals).orElse(false)) {
                continue;
            }
            if (ready(pod)) {
                return new JobStatus(JobStatus.State.DONE, 0, "driver pod " + pod.getMetadata().getName() + " runs " + wanted);
            }
            Optional<String> crash = crashLooping(pod);
            if (crash.isPresent()) {
                return new JobStatus(JobStatus.State.DONE, 1, "driver pod " + pod.getMetadata().getName() + ": " + crash.get());
            }
        }
        return JobStatus.running();
    }

    /** No reboot: the new driver pod loads the driver, and its uid is the new boot id. */
    @Override
    public List<Reset> resets(Map<String, String> versions, MethodSettings settings, java.time.Duration rebootTimeout) {
        return List.of(new Reset("driver-pod", "no reboot: the new driver pod loads the driver", rebootTimeout));
    }

    /** Nothing to ask for: see {@link #resets}. */
    @Override
    public void reset(NodeAddress node, Reset reset, MethodSettings settings) {
    }
}
