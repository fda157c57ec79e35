package io.waveline.kubernetes;

import io.waveline.rollout.port.DrainSpec;
import io.waveline.rollout.port.DrainProgress;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.waveline.fleet.FleetNode;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.plan.LabelSelector;
import jakarta.inject.Inject;

/**
 * Node operations against the fabric8 mock API server in CRUD mode, with a realistic GPU cluster: two GPU nodes
 * carrying GPU Feature Discovery labels (one cordoned by someone else), a CPU node, the GPU Operator's DaemonSet pods,
 * a mirror pod, a running training job, a web pod under a PodDisruptionBudget, a finished pod. Evictions are answered
 * by expectations (the mock server has no eviction API): 429 for the blocking budget, then 201; the test plays the
 * kubelet and removes an evicted pod.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
class KubernetesNodesTest {

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    KubernetesNodes nodes;

    @Inject
    KubernetesInventory inventory;

    @Inject
    PodCheckRunner pods;

    static Node gpuNode(String name, boolean unschedulable, String rack) {
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(Map.of("nvidia.com/gpu.present", "true",
                "nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3", "nvidia.com/gpu.count", "8", "nvidia.com/cuda.driver.major", "550",
                "nvidia.com/cuda.driver.minor", "127", "nvidia.com/cuda.driver.rev", "05", "topology.kubernetes.io/zone", "eu-a",
                "topology.kubernetes.io/rack", rack)).endMetadata()
                .withNewSpec().withUnschedulable(unschedulable).endSpec()
                .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
                .addNewAddress().withType("InternalIP").withAddress("10.0.0." + name.charAt(name.length() - 1)).endAddress()
                .withAllocatable(Map.of("nvidia.com/gpu", new Quantity("8"), "cpu", new Quantity("96"))).endStatus().build();
    }

    static Pod pod(String namespace, String name, String node, Map<String, String> labels, String ownerKind, String phase) {
        PodBuilder pod = new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("main").withImage("busybox").endContainer().endSpec()
                .withNewStatus().withPhase(phase).addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus();
        if (ownerKind != null) {
            pod.editMetadata().addNewOwnerReference().withKind(ownerKind).withName(name + "-owner").withApiVersion("apps/v1")
                    .withUid("uid-" + name).endOwnerReference().endMetadata();
        }
        return pod.build();
    }

    @BeforeEach
    void cluster() {
        client.pods().inAnyNamespace().delete();
        client.nodes().delete();
        client.policy().v1().podDisruptionBudget().inAnyNamespace().delete();
        client.nodes().resource(gpuNode("gpu-k8s-1", false, "r01")).create();
        client.nodes().resource(gpuNode("gpu-k8s-2", true, "r02")).create();
        client.nodes().resource(new NodeBuilder().withNewMetadata().withName("cpu-1").withLabels(Map.of("role", "cpu")).endMetadata()
                .withNewSpec().endSpec().withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                .build()).create();
        for (Pod pod : List.of(
                pod("gpu-operator", "nvidia-driver-daemonset-abcde", "gpu-k8s-1", Map.of("app", "nvidia-driver-daemonset"), "DaemonSet", "Running"),
                pod("gpu-operator", "nvidia-operator-validator-fghij", "gpu-k8s-1", Map.of("app", "nvidia-operator-validator"), "DaemonSet", "Running"),
                pod("ml", "train-0", "gpu-k8s-1", Map.of("job", "train", "kueue.x-k8s.io/queue-name", "gpu"), "Job", "Running"),
                pod("web", "web-1", "gpu-k8s-1", Map.of("app", "web"), "ReplicaSet", "Running"),
                pod("ml", "old-run", "gpu-k8s-1", Map.of("job", "train"), "Job", "Succeeded"),
                pod("ml", "train-9", "gpu-k8s-2", Map.of("job", "train"), "Job", "Running"))) {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
        }
        Pod mirror = pod("kube-system", "kube-proxy-gpu-k8s-1", "gpu-k8s-1", Map.of("k8s-app", "kube-proxy"), "Node", "Running");
        mirror.getMetadata().setAnnotations(Map.of("kubernetes.io/config.mirror", "hash"));
        client.pods().inNamespace("kube-system").resource(mirror).create();
        client.policy().v1().podDisruptionBudget().inNamespace("web").resource(new PodDisruptionBudgetBuilder().withNewMetadata()
                .withName("web-pdb").withNamespace("web").endMetadata().withNewSpec().withMinAvailable(new io.fabric8.kubernetes.api.model.IntOrString(1))
                .withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector().endSpec().build()).create();
    }

    static DrainSpec drain(long timeoutSeconds, boolean force, boolean deleteEmptyDir) {
        return new DrainSpec(true, timeoutSeconds, 30, null, deleteEmptyDir, force, null, 0, null);
    }

    void evictionAnswers(String namespace, String pod, int... statuses) {
        for (int status : statuses) {
            server.expect().post().withPath("/api/v1/namespaces/" + namespace + "/pods/" + pod + "/eviction")
                    .andReturn(status, new StatusBuilder().withCode(status).withReason(status == 429 ? "TooManyRequests" : "Created")
                            .withMessage(status == 429 ? "Cannot evict pod as it would violate the pod's disruption budget." : "")
                            .build()).once();
        }
    }

    @Test
    void inventoryFindsTheGpuNodesWithTheirFeatureDiscoveryLabels() throws Exception {
        List<FleetNode> found = inventory.load();
        assertThat(found).extracting(FleetNode::name).containsExactlyInAnyOrder("gpu-k8s-1", "gpu-k8s-2");
        FleetNode one = found.stream().filter(n -> n.name().equals("gpu-k8s-1")).findFirst().orElseThrow();
        assertThat(one.address()).isEqualTo("10.0.0.1");
        assertThat(one.gpuModel()).isEqualTo("NVIDIA-H100-80GB-HBM3");
        assertThat(one.gpuCount()).isEqualTo(8);
        assertThat(one.versions()).containsEntry("nvidia-driver", "550.127.05");
        assertThat(one.labels()).containsEntry("rack", "r01").containsEntry("zone", "eu-a")
                .containsEntry(KubernetesInventory.MARKER, "true");
        assertThat(one.available()).isTrue();
        assertThat(found.stream().filter(n -> n.name().equals("gpu-k8s-2")).findFirst().orElseThrow().available())
                .as("cordoned by someone else: not available").isFalse();
    }

    @Test
    void drainSkipsDaemonSetsMirrorAndFinishedPodsAndWaitsOutTheDisruptionBudget() {
        assertThat(nodes.cordon("gpu-k8s-1", 7)).as("was schedulable").isFalse();
        Node cordoned = client.nodes().withName("gpu-k8s-1").get();
        assertThat(cordoned.getSpec().getUnschedulable()).isTrue();
        assertThat(cordoned.getMetadata().getLabels()).containsEntry(KubernetesNodes.ROLLOUT, "7").containsEntry(KubernetesNodes.STATE, "cordoned");

        evictionAnswers("ml", "train-0", 201);
        evictionAnswers("web", "web-1", 429, 201);
        DrainProgress first = nodes.drain("gpu-k8s-1", drain(600, false, false), Duration.ZERO);
        assertThat(first.done()).isFalse();
        assertThat(first.podsLeft()).containsExactlyInAnyOrder("ml/train-0", "web/web-1");
        assertThat(first.blockedBy()).containsExactly("PodDisruptionBudget web/web-pdb");
        assertThat(first.describe()).contains("eviction refused by PodDisruptionBudget web/web-pdb");
        client.pods().inNamespace("ml").withName("train-0").delete();

        DrainProgress second = nodes.drain("gpu-k8s-1", drain(600, false, false), Duration.ofSeconds(10));
        assertThat(second.podsLeft()).containsExactly("web/web-1");
        assertThat(second.blockedBy()).as("the budget let it go this time").isEmpty();
        client.pods().inNamespace("web").withName("web-1").delete();

        DrainProgress third = nodes.drain("gpu-k8s-1", drain(600, false, false), Duration.ofSeconds(20));
        assertThat(third.done()).isTrue();
        assertThat(client.pods().inNamespace("gpu-operator").list().getItems()).as("DaemonSet pods stay").hasSize(2);
        assertThat(client.pods().inNamespace("kube-system").list().getItems()).as("mirror pods stay").hasSize(1);
    }

    @Test
    void aDrainPastItsTimeoutFailsOrForcesAsThePlanSays() {
        nodes.cordon("gpu-k8s-1", 8);
        DrainProgress timedOut = nodes.drain("gpu-k8s-1", drain(60, false, false), Duration.ofSeconds(61));
        assertThat(timedOut.done()).isFalse();
        assertThat(timedOut.failure()).get().asString().startsWith("drain timed out after 1m with 2 pod(s) left")
                .contains("evictions refused by PodDisruptionBudget web/web-pdb");
        assertThat(client.pods().inNamespace("web").withName("web-1").get()).as("nothing deleted").isNotNull();

        DrainProgress forced = nodes.drain("gpu-k8s-1", drain(60, true, false), Duration.ofSeconds(61));
        assertThat(forced.done()).isTrue();
        assertThat(forced.forced()).isTrue();
        assertThat(client.pods().inNamespace("web").withName("web-1").get()).isNull();
        assertThat(client.pods().inNamespace("ml").withName("train-0").get()).isNull();
        assertThat(client.pods().inNamespace("gpu-operator").list().getItems()).hasSize(2);
    }

    @Test
    void podsWithEmptyDirGoOnlyWhenThePlanAllowsIt() {
        Pod scratch = pod("ml", "scratch-0", "gpu-k8s-1", Map.of("app", "scratch"), "ReplicaSet", "Running");
        scratch.getSpec().setVolumes(List.of(new io.fabric8.kubernetes.api.model.VolumeBuilder().withName("tmp").withNewEmptyDir()
                .endEmptyDir().build()));
        client.pods().inNamespace("ml").resource(scratch).create();
        DrainProgress refused = nodes.drain("gpu-k8s-1", drain(600, false, false), Duration.ZERO);
        assertThat(refused.failure()).get().asString().isEqualTo("pod ml/scratch-0 uses an emptyDir volume, whose data an eviction"
                + " deletes; set drain.deleteEmptyDir: true to allow it");
    }

    @Test
    void trainingJobsAreWaitedFor() throws Exception {
        LabelSelector jobs = LabelSelector.parse("job=train");
        assertThat(nodes.runningJobs("gpu-k8s-1", jobs)).containsExactly("ml/train-0");
        Pod done = client.pods().inNamespace("ml").withName("train-0").get();
        done.getStatus().setPhase("Succeeded");
        client.pods().inNamespace("ml").resource(done).updateStatus();
        assertThat(nodes.runningJobs("gpu-k8s-1", jobs)).isEmpty();
    }

    @Test
    void aNodeCordonedBeforeTheRolloutStaysCordonedAfterIt() {
        assertThat(nodes.cordon("gpu-k8s-2", 9)).as("cordoned by someone else").isTrue();
        assertThat(nodes.cordon("gpu-k8s-2", 9)).as("a repeated cordon remembers the first answer").isTrue();
        assertThat(nodes.uncordon("gpu-k8s-2", "succeeded")).isTrue();
        Node after = client.nodes().withName("gpu-k8s-2").get();
        assertThat(after.getSpec().getUnschedulable()).isTrue();
        assertThat(after.getMetadata().getAnnotations()).doesNotContainKey(KubernetesNodes.WAS_UNSCHEDULABLE);
        assertThat(after.getMetadata().getLabels()).containsEntry(KubernetesNodes.STATE, "succeeded");

        nodes.cordon("gpu-k8s-1", 9);
        assertThat(nodes.uncordon("gpu-k8s-1", "succeeded")).isFalse();
        assertThat(client.nodes().withName("gpu-k8s-1").get().getSpec().getUnschedulable()).isFalse();
    }

    @Test
    void wavelinesViewIsMirroredOnTheNodeAndTheValidatorIsChecked() {
        nodes.mirror("gpu-k8s-1", 11, "quarantined", java.util.Optional.of("xid: XID 79 on 0000:5d:00"));
        Node node = client.nodes().withName("gpu-k8s-1").get();
        assertThat(node.getMetadata().getLabels()).containsEntry(KubernetesNodes.ROLLOUT, "11").containsEntry(KubernetesNodes.STATE, "quarantined");
        assertThat(node.getMetadata().getAnnotations()).containsEntry(KubernetesNodes.REASON, "xid: XID 79 on 0000:5d:00");

        assertThat(nodes.afterUpgrade("gpu-k8s-1", 8).status()).isEqualTo(CheckStatus.PASS);
        node.getStatus().setAllocatable(Map.of("nvidia.com/gpu", new Quantity("7")));
        client.nodes().resource(node).updateStatus();
        assertThat(nodes.afterUpgrade("gpu-k8s-1", 8).summary()).isEqualTo("allocatable nvidia.com/gpu is 7, was 8 before the upgrade");
        assertThat(nodes.afterUpgrade("gpu-k8s-2", 8).summary()).isEqualTo("no GPU Operator validator pod on the node");
    }

    /** Everything the mock server received since the last call (the test's own setup included). */
    java.util.List<io.fabric8.mockwebserver.http.RecordedRequest> received() throws InterruptedException {
        java.util.List<io.fabric8.mockwebserver.http.RecordedRequest> requests = new java.util.ArrayList<>();
        io.fabric8.mockwebserver.http.RecordedRequest request;
        while ((request = server.getKubernetesMockServer().takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            requests.add(request);
        }
        return requests;
    }

    /** The RBAC permission a request needs, "group/resource:verb" (core group empty). */
    static String permission(String method, String pathAndQuery) {
        String path = pathAndQuery.split("\\?")[0];
        boolean query = pathAndQuery.contains("?");
        String[] parts = path.replaceFirst("^/api/v1/", "/core/").replaceFirst("^/apis/([^/]+)/[^/]+/", "/$1/").substring(1).split("/");
        String group = parts[0].equals("core") ? "" : parts[0];
        List<String> rest = new java.util.ArrayList<>(List.of(parts).subList(1, parts.length));
        if (rest.size() >= 2 && rest.get(0).equals("namespaces") && rest.size() > 2) {
            rest = rest.subList(2, rest.size());
        }
        String resource = rest.get(0) + (rest.size() > 2 ? "/" + rest.get(2) : "");
        boolean named = rest.size() >= 2;
        String verb = switch (method) {
            case "GET" -> named ? "get" : (query && pathAndQuery.contains("watch=true") ? "watch" : "list");
            case "POST" -> "create";
            case "PATCH" -> "patch";
            case "PUT" -> "update";
            case "DELETE" -> named ? "delete" : "deletecollection";
            default -> method.toLowerCase();
        };
        return group + "/" + resource + ":" + verb;
    }

    static java.util.Set<String> flatten(String group, String resource, List<String> verbs) {
        java.util.Set<String> all = new java.util.TreeSet<>();
        verbs.forEach(v -> all.add(group + "/" + resource + ":" + v));
        return all;
    }

    @Test
    @SuppressWarnings("unchecked")
    void theClusterRoleGrantsExactlyTheCallsTheCodeMakes() throws Exception {
        evictionAnswers("ml", "train-0", 201);
        evictionAnswers("web", "web-1", 429);
        received();
        inventory.load();
        nodes.cordon("gpu-k8s-1", 3);
        nodes.runningJobs("gpu-k8s-1", LabelSelector.parse("job=train"));
        nodes.drain("gpu-k8s-1", drain(600, false, false), Duration.ZERO);
        nodes.drain("gpu-k8s-1", drain(60, true, false), Duration.ofSeconds(61));
        nodes.afterUpgrade("gpu-k8s-1", 8);
        nodes.mirror("gpu-k8s-1", 3, "failed", java.util.Optional.of("reason"));
        nodes.uncordon("gpu-k8s-1", "succeeded");
        java.util.List<io.fabric8.mockwebserver.http.RecordedRequest> calls = new java.util.ArrayList<>();
        checkPodRuns("wl-3-chk-0", calls);
        io.waveline.rollout.port.NodeAddress address = new io.waveline.rollout.port.NodeAddress("gpu-k8s-1", "10.0.0.1", 22, null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pods.run(address, "nvidia-smi", Duration.ofMillis(300)))
                .as("nobody runs the pod here: the wait ends at the timeout").isInstanceOf(io.waveline.rollout.port.NodeUnreachableException.class);
        calls.addAll(received());
        java.util.Set<String> used = new java.util.TreeSet<>();
        calls.forEach(r -> used.add(permission(r.getMethod(), r.getPath())));

        java.util.Set<String> declared = new java.util.TreeSet<>();
        KubernetesPermissions.USED.forEach(r -> declared.addAll(flatten(r.apiGroup(), r.resource(), r.verbs())));
        assertThat(used).as("every call the code made is declared, and every declared permission is used").isEqualTo(declared);

        java.util.Set<String> granted = new java.util.TreeSet<>();
        Map<String, Object> role = new org.yaml.snakeyaml.Yaml().load(java.nio.file.Files.readString(java.nio.file.Path.of("deploy/clusterrole.yaml")));
        for (Map<String, Object> rule : (List<Map<String, Object>>) role.get("rules")) {
            for (String group : (List<String>) rule.get("apiGroups")) {
                for (String resource : (List<String>) rule.get("resources")) {
                    granted.addAll(flatten(group, resource, (List<String>) rule.get("verbs")));
                }
            }
        }
        assertThat(granted).as("deploy/clusterrole.yaml grants exactly what the code calls").isEqualTo(declared);
    }

    static final String DCGM_PASS = "{\"DCGM Diagnostic\":{\"test_categories\":[{\"category\":\"Hardware\",\"tests\":[{\"name\":"
            + "\"memory\",\"results\":[{\"entity_group\":\"GPU\",\"entity_group_id\":1,\"entity_id\":0,\"status\":\"Pass\"}],"
            + "\"test_summary\":{\"status\":\"Pass\"}}]}]}}";

    /** Starts a detached check pod, plays the kubelet (it ran and printed DCGM's JSON), and polls it to its end. */
    io.waveline.rollout.port.JobStatus checkPodRuns(String jobId, java.util.List<io.fabric8.mockwebserver.http.RecordedRequest> codeCalls)
            throws Exception {
        io.waveline.rollout.port.NodeAddress node = new io.waveline.rollout.port.NodeAddress("gpu-k8s-1", "10.0.0.1", 22, null);
        pods.start(node, jobId, "dcgmi diag -r 3 -j");
        pods.start(node, jobId, "dcgmi diag -r 3 -j");
        assertThat(pods.poll(node, jobId).state()).isEqualTo(io.waveline.rollout.port.JobStatus.State.RUNNING);
        codeCalls.addAll(received());
        Pod pod = client.pods().inNamespace("waveline").withName(jobId + "-gpu-k8s-1").get();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatus());
        pod.getStatus().setPhase("Succeeded");
        pod.getStatus().setContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName("check")
                .withNewState().withNewTerminated().withExitCode(0).endTerminated().endState().build()));
        client.pods().inNamespace("waveline").resource(pod).updateStatus();
        for (String path : List.of("", "?pretty=false")) {
            server.expect().get().withPath("/api/v1/namespaces/waveline/pods/" + jobId + "-gpu-k8s-1/log" + path)
                    .andReturn(200, DCGM_PASS).always();
        }
        received();
        return pods.poll(node, jobId);
    }

    @Test
    void healthChecksCanRunInAPodPinnedToTheNode() throws Exception {
        io.waveline.rollout.port.JobStatus done = checkPodRuns("wl-5-chk-0", new java.util.ArrayList<>());
        List<Pod> created = client.pods().inNamespace("waveline").list().getItems();
        assertThat(created).as("started twice, one pod").hasSize(1);
        Pod pod = created.get(0);
        assertThat(pod.getSpec().getNodeName()).isEqualTo("gpu-k8s-1");
        assertThat(pod.getSpec().getTolerations()).singleElement().satisfies(t -> assertThat(t.getOperator()).isEqualTo("Exists"));
        var container = pod.getSpec().getContainers().get(0);
        assertThat(container.getCommand()).containsExactly("sh", "-c", "dcgmi diag -r 3 -j");
        assertThat(container.getResources().getLimits().get("nvidia.com/gpu").getAmount()).as("every GPU of the node").isEqualTo("8");
        assertThat(container.getSecurityContext().getPrivileged()).isTrue();
        assertThat(done.succeeded()).isTrue();
        assertThat(io.waveline.health.DcgmDiag.evaluate(done.exitStatus(), done.output(), false).status()).isEqualTo(CheckStatus.PASS);
    }
}
