package io.waveline.kubernetes;

import io.waveline.rollout.port.DrainSpec;
import io.waveline.rollout.port.DrainProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.jboss.logging.Logger;

import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.policy.v1.Eviction;
import io.fabric8.kubernetes.api.model.policy.v1.EvictionBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.plan.LabelSelector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * What Waveline does to a Kubernetes node through the API, the way {@code kubectl cordon/drain} does it:
 *
 * <ul>
 * <li>cordon: {@code spec.unschedulable=true} by JSON merge patch, remembering in {@link #WAS_UNSCHEDULABLE} whether the
 * node was unschedulable before, so that uncordon leaves a node cordoned by someone else cordoned;</li>
 * <li>drain: evict (Eviction API, with the plan's grace period) every pod on the node except DaemonSet pods, mirror
 * pods and finished pods, only those matching the plan's pod selector if it has one; an eviction a
 * PodDisruptionBudget refuses (429) is tried again at the next step; pods with emptyDir volumes go only with
 * {@code deleteEmptyDir}; after the timeout, {@code force} deletes what is left, otherwise the drain fails;</li>
 * <li>the training jobs on the node (pods matching {@code waitForJobs.podSelector} that have not finished);</li>
 * <li>after the upgrade: the node Ready, allocatable {@code nvidia.com/gpu} back to the baseline, the GPU Operator
 * validator pods on the node ready;</li>
 * <li>Waveline's view on the node for kubectl users: labels {@code waveline.io/rollout} and
 * {@code waveline.io/state}.</li>
 * </ul>
 * Every call reads the node's real state first and is safe to repeat. Only merge patches are used.
 */
@ApplicationScoped
public class KubernetesNodes {

    private static final Logger LOG = Logger.getLogger(KubernetesNodes.class);
    public static final String WAS_UNSCHEDULABLE = "waveline.io/was-unschedulable";
    public static final String ROLLOUT = "waveline.io/rollout";
    public static final String STATE = "waveline.io/state";
    public static final String REASON = "waveline.io/reason";
    private static final PatchContext MERGE = PatchContext.of(PatchType.JSON_MERGE);

    @Inject
    KubernetesClient client;

    @Inject
    KubernetesSettings settings;

    private Node node(String name) {
        Node node = client.nodes().withName(name).get();
        if (node == null) {
            throw new KubernetesCalls.NodeGone("node " + name + " is not in the cluster");
        }
        return node;
    }

    /** Cordons the node for a rollout; answers whether it was unschedulable already. */
    public boolean cordon(String name, long rolloutId) {
        Node node = node(name);
        Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of() : node.getMetadata().getAnnotations();
        boolean before = annotations.get(WAS_UNSCHEDULABLE) != null ? Boolean.parseBoolean(annotations.get(WAS_UNSCHEDULABLE))
                : Boolean.TRUE.equals(node.getSpec().getUnschedulable());
        patch(name, Map.of("metadata", Map.of("annotations", Map.of(WAS_UNSCHEDULABLE, Boolean.toString(before)),
                "labels", Map.of(ROLLOUT, Long.toString(rolloutId), STATE, "cordoned")), "spec", Map.of("unschedulable", true)));
        return before;
    }

    /** Makes the node schedulable again unless it was unschedulable before Waveline cordoned it. */
    public boolean uncordon(String name, String state) {
        Node node = node(name);
        Map<String, String> annotations = node.getMetadata().getAnnotations() == null ? Map.of() : node.getMetadata().getAnnotations();
        boolean keep = Boolean.parseBoolean(annotations.getOrDefault(WAS_UNSCHEDULABLE, "false"));
        List<Map<String, Object>> ops = new ArrayList<>();
        ops.add(Map.of("op", "add", "path", "/spec/unschedulable", "value", keep));
        for (String key : List.of(WAS_UNSCHEDULABLE, REASON)) {
            if (annotations.containsKey(key)) {
                ops.add(Map.of("op", "remove", "path", "/metadata/annotations/" + pointer(key)));
            }
        }
        if (node.getMetadata().getLabels() == null) {
            ops.add(Map.of("op", "add", "path", "/metadata/labels", "value", Map.of()));
        }
        ops.add(Map.of("op", "add", "path", "/metadata/labels/" + pointer(STATE), "value", state));
        client.nodes().withName(name).patch(PatchContext.of(PatchType.JSON), json(ops));
        return keep;
    }

    /** A JSON Pointer segment (RFC 6901): {@code ~} and {@code /} escaped. */
    static String pointer(String key) {
        return key.replace("~", "~0").replace("/", "~1");
    }

    /** Mirrors Waveline's state of the node (and a reason, for failures and quarantine) onto it. */
    public void mirror(String name, long rolloutId, String state, Optional<String> reason) {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("labels", Map.of(ROLLOUT, Long.toString(rolloutId), STATE, state));
        reason.ifPresent(r -> metadata.put("annotations", Map.of(REASON, r.length() > 1000 ? r.substring(0, 1000) : r)));
        patch(name, Map.of("metadata", metadata));
    }

    private void patch(String name, Map<String, Object> body) {
        client.nodes().withName(name).patch(MERGE, json(body));
    }

    private static String json(Object body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(body);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The pods on the node, every namespace. Filtered here rather than with a {@code spec.nodeName} field selector,
     * which not every API implementation (the mock server among them) honours.
     */
    List<Pod> podsOn(String name) {
        return client.pods().inAnyNamespace().list().getItems().stream()
                .filter(p -> p.getSpec() != null && name.equals(p.getSpec().getNodeName())).toList();
    }

    static boolean finished(Pod pod) {
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    static boolean daemonSet(Pod pod) {
        return pod.getMetadata().getOwnerReferences() != null && pod.getMetadata().getOwnerReferences().stream()
                .anyMatch(o -> "DaemonSet".equals(o.getKind()));
    }

    static boolean mirror(Pod pod) {
        return pod.getMetadata().getAnnotations() != null && pod.getMetadata().getAnnotations().containsKey("kubernetes.io/config.mirror");
    }

    static boolean emptyDir(Pod pod) {
        return pod.getSpec().getVolumes() != null && pod.getSpec().getVolumes().stream().anyMatch(v -> v.getEmptyDir() != null);
    }

    private static Map<String, String> labels(Pod pod) {
        return pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
    }

    static String id(Pod pod) {
        return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
    }

    /** Training jobs on the node that have not finished. */
    public List<String> runningJobs(String name, LabelSelector jobs) {
        return podsOn(name).stream().filter(p -> !finished(p) && jobs.matches(labels(p))).map(KubernetesNodes::id).toList();
    }

    /** One step of the drain: evicts what may go now, answers what is left. */
    public DrainProgress drain(String name, DrainSpec spec, Duration elapsed) {
        Optional<LabelSelector> only = spec.pods();
        List<Pod> pods = podsOn(name).stream().filter(p -> !finished(p) && !daemonSet(p) && !mirror(p))
                .filter(p -> only.map(s -> s.matches(labels(p))).orElse(true)).toList();
        if (pods.isEmpty()) {
            return new DrainProgress(true, List.of(), List.of(), Optional.empty(), false);
        }
        List<String> left = pods.stream().map(KubernetesNodes::id).toList();
        if (!spec.deleteEmptyDir()) {
            Optional<Pod> local = pods.stream().filter(KubernetesNodes::emptyDir).findFirst();
            if (local.isPresent()) {
                return new DrainProgress(false, left, List.of(), Optional.of("pod " + id(local.get()) + " uses an emptyDir volume,"
                        + " whose data an eviction deletes; set drain.deleteEmptyDir: true to allow it"), false);
            }
        }
        if (elapsed.getSeconds() >= spec.timeoutSeconds()) {
            if (!spec.force()) {
                Set<String> blocking = blockingBudgets(pods);
                return new DrainProgress(false, left, List.copyOf(blocking), Optional.of("drain timed out after "
                        + io.waveline.plan.Durations.format(Duration.ofSeconds(spec.timeoutSeconds())) + " with " + left.size()
                        + " pod(s) left (" + String.join(", ", left.subList(0, Math.min(5, left.size()))) + ")"
                        + (blocking.isEmpty() ? "" : ", evictions refused by " + String.join(", ", blocking))), false);
            }
            for (Pod pod : pods) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                        .withGracePeriod(spec.gracePeriodSeconds()).delete();
            }
            LOG.warnf("Drain of %s timed out; deleted %d pod(s) as the plan's force says", name, pods.size());
            return new DrainProgress(true, List.of(), List.of(), Optional.empty(), true);
        }
        List<Pod> refused = new ArrayList<>();
        for (Pod pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                continue;
            }
            Eviction eviction = new EvictionBuilder().withNewMetadata().withName(pod.getMetadata().getName())
                    .withNamespace(pod.getMetadata().getNamespace()).endMetadata()
                    .withDeleteOptions(new DeleteOptionsBuilder().withGracePeriodSeconds(spec.gracePeriodSeconds()).build()).build();
            boolean evicted = client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName())
                    .evict(eviction);
            if (!evicted) {
                refused.add(pod);
            }
        }
        return new DrainProgress(false, left, List.copyOf(blockingBudgets(refused)), Optional.empty(), false);
    }

    /** The PodDisruptionBudgets (namespace/name) whose selector takes in any of the pods. */
    Set<String> blockingBudgets(List<Pod> pods) {
        Set<String> names = new LinkedHashSet<>();
        for (Pod pod : pods) {
            for (PodDisruptionBudget budget : client.policy().v1().podDisruptionBudget().inNamespace(pod.getMetadata().getNamespace())
                    .list().getItems()) {
                var selector = budget.getSpec() == null ? null : budget.getSpec().getSelector();
                if (selector != null && selector.getMatchLabels() != null
                        && labels(pod).entrySet().containsAll(selector.getMatchLabels().entrySet())) {
                    names.add("PodDisruptionBudget " + budget.getMetadata().getNamespace() + "/" + budget.getMetadata().getName());
                }
            }
        }
        return names;
    }

    public int allocatableGpus(String name) {
        return KubernetesInventory.allocatableGpus(node(name));
    }

    /**
     * The {@code kubernetes-validator} check after an upgrade: node Ready, allocatable {@code nvidia.com/gpu} at least
     * the baseline, and every GPU Operator validator pod on the node ready.
     */
    public CheckOutcome afterUpgrade(String name, int baselineAllocatable) {
        return afterUpgrade(name, baselineAllocatable, settings.operatorNamespace());
    }

    /** As above, with the GPU Operator in {@code operatorNamespace} (a gpu-operator plan's {@code namespace}). */
    public CheckOutcome afterUpgrade(String name, int baselineAllocatable, String operatorNamespace) {
        Node node = node(name);
        int gpus = KubernetesInventory.allocatableGpus(node);
        Map<String, Object> figures = Map.of("allocatable", gpus, "baseline", baselineAllocatable);
        if (!KubernetesInventory.ready(node)) {
            return CheckOutcome.fail("kubernetes-validator", CheckOutcome.Cause.DRIVER, "node is not Ready", figures, "");
        }
        if (gpus < baselineAllocatable) {
            return CheckOutcome.fail("kubernetes-validator", CheckOutcome.Cause.DRIVER, "allocatable nvidia.com/gpu is " + gpus
                    + ", was " + baselineAllocatable + " before the upgrade", figures, "");
        }
        LabelSelector validator;
        try {
            validator = LabelSelector.parse(settings.validatorSelector());
        } catch (LabelSelector.SyntaxException e) {
            return new CheckOutcome("kubernetes-validator", CheckStatus.ERROR, "waveline.kubernetes.validator-selector is not a"
                    + " selector", CheckOutcome.Cause.NONE, figures, "");
        }
        List<Pod> validators = client.pods().inNamespace(operatorNamespace).list().getItems().stream()
                .filter(p -> p.getSpec() != null && name.equals(p.getSpec().getNodeName()) && validator.matches(labels(p))).toList();
        List<String> notReady = validators.stream().filter(p -> !podReady(p)).map(KubernetesNodes::id).toList();
        if (validators.isEmpty() || !notReady.isEmpty()) {
            return CheckOutcome.fail("kubernetes-validator", CheckOutcome.Cause.DRIVER, validators.isEmpty()
                    ? "no GPU Operator validator pod on the node" : "validator pod(s) not ready: " + String.join(", ", notReady),
                    figures, "");
        }
        return CheckOutcome.pass("kubernetes-validator", "node Ready, " + gpus + " allocatable GPUs, validator ready", figures, "");
    }

    static boolean podReady(Pod pod) {
        return pod.getStatus() != null && pod.getStatus().getConditions() != null && pod.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }
}
