package io.waveline.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.waveline.rollout.port.CheckRunner;
import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Runs health-check commands on a Kubernetes node in a pod pinned to it: {@code nodeName} set (no scheduler, so a
 * cordoned node takes it), tolerating every taint, requesting all the node's allocatable {@code nvidia.com/gpu} so the
 * check sees every GPU, privileged with the host's PID namespace (the kernel log for the XID scan), image
 * {@code waveline.kubernetes.check-image}, in {@code waveline.kubernetes.check-namespace}. The command is the one the
 * SSH runner would run ({@code sh -c}); the pod's log is the output and its container's exit code the exit status. A
 * detached check is a pod named by its job id, found again after a restart; pods are labelled
 * {@code waveline.io/check=true} and left for inspection.
 */
@ApplicationScoped
public class PodCheckRunner implements CheckRunner {

    public static final String KIND = CheckRunner.POD;
    public static final String LABEL = "waveline.io/check";

    @Inject
    KubernetesClient client;

    @Inject
    KubernetesSettings settings;

    @Override
    public String kind() {
        return KIND;
    }

    /** A check pod requests all of the node's GPUs: a second one would wait for the first. */
    @Override
    public boolean concurrent() {
        return false;
    }

    Pod pod(String name, String node, String command) {
        int gpus = KubernetesInventory.allocatableGpus(client.nodes().withName(node).get());
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(settings.checkNamespace())
                .withLabels(Map.of(LABEL, "true", "waveline.io/node", node)).endMetadata()
                .withNewSpec().withNodeName(node).withRestartPolicy("Never").withHostPID(true)
                .addNewToleration().withOperator("Exists").endToleration()
                .addNewContainer().withName("check").withImage(settings.checkImage()).withCommand(List.of("sh", "-c", command))
                .withNewSecurityContext().withPrivileged(true).endSecurityContext()
                .withNewResources().withLimits(Map.of("nvidia.com/gpu", new Quantity(Integer.toString(gpus)))).endResources()
                .endContainer().endSpec().build();
    }

    static String name(String node, String suffix) {
        String name = (suffix + "-" + node).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        return name.length() > 63 ? name.substring(0, 63).replaceAll("-+$", "") : name;
    }

    @Override
    public CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
        String name = name(node.name(), "wl-run-" + Long.toHexString(System.nanoTime()));
        try {
            client.pods().inNamespace(settings.checkNamespace()).resource(pod(name, node.name(), command)).create();
            Pod done = client.pods().inNamespace(settings.checkNamespace()).withName(name)
                    .waitUntilCondition(PodCheckRunner::finished, timeout.toMillis(), TimeUnit.MILLISECONDS);
            return result(done);
        } catch (KubernetesClientException e) {
            throw new NodeUnreachableException("check pod " + name + " on " + node.name() + ": " + e.getMessage(), e);
        } finally {
            try {
                client.pods().inNamespace(settings.checkNamespace()).withName(name).delete();
            } catch (KubernetesClientException e) {
                // left behind; it is labelled
            }
        }
    }

    @Override
    public void start(NodeAddress node, String jobId, String command) throws NodeUnreachableException {
        String name = name(node.name(), jobId);
        try {
            if (client.pods().inNamespace(settings.checkNamespace()).withName(name).get() == null) {
                client.pods().inNamespace(settings.checkNamespace()).resource(pod(name, node.name(), command)).create();
            }
        } catch (KubernetesClientException e) {
            throw new NodeUnreachableException("cannot start check pod " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public JobStatus poll(NodeAddress node, String jobId) throws NodeUnreachableException {
        try {
            Pod pod = client.pods().inNamespace(settings.checkNamespace()).withName(name(node.name(), jobId)).get();
            if (pod == null) {
                return JobStatus.notFound();
            }
            if (!finished(pod)) {
                return JobStatus.running();
            }
            CommandResult result = result(pod);
            return new JobStatus(JobStatus.State.DONE, result.exitStatus(), result.output());
        } catch (KubernetesClientException e) {
            throw new NodeUnreachableException("check pod " + jobId + ": " + e.getMessage(), e);
        }
    }

    static boolean finished(Pod pod) {
        return pod != null && pod.getStatus() != null
                && ("Succeeded".equals(pod.getStatus().getPhase()) || "Failed".equals(pod.getStatus().getPhase()));
    }

    private CommandResult result(Pod pod) {
        int exit = pod.getStatus().getContainerStatuses() == null ? 255 : pod.getStatus().getContainerStatuses().stream()
                .filter(s -> s.getState() != null && s.getState().getTerminated() != null).map(s -> s.getState().getTerminated())
                .map(ContainerStateTerminated::getExitCode).filter(java.util.Objects::nonNull).findFirst()
                .orElse("Succeeded".equals(pod.getStatus().getPhase()) ? 0 : 255);
        String log = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).getLog();
        return new CommandResult(exit, log == null ? "" : log);
    }
}
