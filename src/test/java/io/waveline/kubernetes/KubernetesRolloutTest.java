package io.waveline.kubernetes;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.waveline.fleet.FleetInventory;
import io.waveline.sim.SimFleet;
import jakarta.inject.Inject;

/**
 * A whole rollout on a node that is both a Kubernetes node (the mock API server, CRUD mode) and a simulated host
 * reached over SSH: Waveline cordons it, waits for the training job on it, drains it (a PodDisruptionBudget holds
 * one pod until the test, as the kubelet, lets it go), upgrades and validates over SSH, checks the node and the GPU
 * Operator validator through the API, uncordons it and leaves its state on the node's labels.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@TestProfile(KubernetesRolloutTest.KubernetesEnabled.class)
class KubernetesRolloutTest {

    public static class KubernetesEnabled implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("waveline.kubernetes.enabled", "true", "waveline.kubernetes.eviction-backoff", "200ms");
        }
    }

    @KubernetesTestServer
    KubernetesServer server;

    @Inject
    KubernetesClient client;

    @Inject
    FleetInventory inventory;

    @Inject
    SimFleet sim;

    static JsonPath rollout(long id) {
        return given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aKubernetesNodeIsCordonedWaitedForDrainedUpgradedAndHandedBack() {
        Node node = KubernetesNodesTest.gpuNode("gpu-l40s-04", false, "r07");
        node.getMetadata().getLabels().put("nvidia.com/gpu.count", "4");
        node.getStatus().setAllocatable(Map.of("nvidia.com/gpu", new Quantity("4")));
        client.nodes().resource(node).create();
        for (Pod pod : List.of(
                KubernetesNodesTest.pod("gpu-operator", "nvidia-operator-validator-l4s04", "gpu-l40s-04",
                        Map.of("app", "nvidia-operator-validator"), "DaemonSet", "Running"),
                KubernetesNodesTest.pod("ml", "train-0", "gpu-l40s-04", Map.of("job", "train"), "Job", "Running"),
                KubernetesNodesTest.pod("web", "web-1", "gpu-l40s-04", Map.of("app", "web"), "ReplicaSet", "Running"))) {
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(pod).create();
        }
        client.policy().v1().podDisruptionBudget().inNamespace("web").resource(new PodDisruptionBudgetBuilder().withNewMetadata()
                .withName("web-pdb").withNamespace("web").endMetadata().withNewSpec()
                .withMaxUnavailable(new io.fabric8.kubernetes.api.model.IntOrString(0))
                .withNewSelector().withMatchLabels(Map.of("app", "web")).endSelector().endSpec().build()).create();
        server.expect().post().withPath("/api/v1/namespaces/web/pods/web-1/eviction").andReturn(429,
                new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(429).withReason("TooManyRequests")
                        .withMessage("Cannot evict pod as it would violate the pod's disruption budget.").build()).always();
        inventory.refresh();
        given().when().get("/api/v1/nodes/gpu-l40s-04").then().statusCode(200);
        Map<String, String> before = sim.host("gpu-l40s-04").installedVersions();

        String plan = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: k8s-l40s
                spec:
                  target:
                    nodes: [gpu-l40s-04]
                    components:
                      nvidia-driver: "570.86.36"
                  waves:
                    - name: all
                      size: rest
                  drain:
                    timeout: 10m
                    gracePeriod: 10s
                    waitForJobs:
                      podSelector: "job=train"
                      timeout: 1h
                """;
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        String first = "waves[0].nodes[0]";
        await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_FOR_JOBS".equals(rollout(id).getString(first + ".state")));
        assertThat(rollout(id).getString(first + ".progress")).isEqualTo("waiting for 1 training job pod(s) to finish: ml/train-0");
        Node cordoned = client.nodes().withName("gpu-l40s-04").get();
        assertThat(cordoned.getSpec().getUnschedulable()).isTrue();
        assertThat(cordoned.getMetadata().getLabels()).containsEntry(KubernetesNodes.ROLLOUT, Long.toString(id));

        Pod job = client.pods().inNamespace("ml").withName("train-0").get();
        job.getStatus().setPhase("Succeeded");
        client.pods().inNamespace("ml").resource(job).updateStatus();
        await().atMost(Duration.ofSeconds(30)).until(() -> String.valueOf(rollout(id).getString(first + ".progress"))
                .contains("eviction refused by PodDisruptionBudget web/web-pdb"));
        assertThat(rollout(id).getString(first + ".state")).isEqualTo("DRAINING");
        assertThat(rollout(id).getString("state")).isEqualTo("RUNNING");
        client.pods().inNamespace("web").withName("web-1").delete();

        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK")
                .contains(rollout(id).getString("state")));
        JsonPath done = rollout(id);
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(done.getString(first + ".checks.find { it.name == 'kubernetes-validator' }.summary"))
                .isEqualTo("node Ready, 4 allocatable GPUs, validator ready");
        assertThat(sim.host("gpu-l40s-04").installedVersions()).containsEntry("nvidia-driver", "570.86.36").isNotEqualTo(before);
        Node after = client.nodes().withName("gpu-l40s-04").get();
        assertThat(after.getSpec().getUnschedulable()).isFalse();
        assertThat(after.getMetadata().getLabels()).containsEntry(KubernetesNodes.STATE, "succeeded")
                .containsEntry(KubernetesNodes.ROLLOUT, Long.toString(id));
        List<String> kinds = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath().getList("kind");
        assertThat(kinds).containsSubsequence("node.cordoned", "node.waiting-for-jobs", "node.jobs-finished", "node.draining",
                "node.drained", "node.install-started", "node.rebooted", "node.validated", "node.succeeded");
        assertThat(client.pods().inNamespace("gpu-operator").list().getItems()).as("DaemonSet pods are never evicted")
                .filteredOn(p -> p.getSpec().getNodeName().equals("gpu-l40s-04")).hasSize(1);
    }

    static Pod driverPod(String node, String version) {
        Pod pod = KubernetesNodesTest.pod("gpu-operator", "nvidia-driver-daemonset-" + version.replace('.', '-') + "-" + node,
                node, Map.of("app", "nvidia-driver-daemonset"), "DaemonSet", "Running");
        pod.getSpec().getContainers().get(0).setImage("nvcr.io/nvidia/driver:" + version + "-ubuntu22.04");
        pod.getMetadata().setUid(java.util.UUID.randomUUID().toString());
        return pod;
    }

    /** A GPU node the GPU Operator runs driver 550.127.05 on, with a ready validator pod. */
    void operatorNode(String name, String rack) {
        Node node = KubernetesNodesTest.gpuNode(name, false, rack);
        node.getMetadata().getLabels().put(GpuOperatorUpgrader.DRIVER_LABEL, "550.127.05");
        client.nodes().resource(node).create();
        client.pods().inNamespace("gpu-operator").resource(driverPod(name, "550.127.05")).create();
        client.pods().inNamespace("gpu-operator").resource(KubernetesNodesTest.pod("gpu-operator", "nvidia-operator-validator-"
                + name, name, Map.of("app", "nvidia-operator-validator"), "DaemonSet", "Running")).create();
    }

    String driverLabel(String node) {
        return client.nodes().withName(node).get().getMetadata().getLabels().get(GpuOperatorUpgrader.DRIVER_LABEL);
    }

    /** Plays the GPU Operator: when the node's label names a version with no driver pod, start that version's pod. */
    void operatorStartsDriver(String node, String version) {
        await().atMost(Duration.ofSeconds(30)).until(() -> version.equals(driverLabel(node)));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace("gpu-operator").list().getItems().stream()
                .noneMatch(p -> p.getMetadata().getName().startsWith("nvidia-driver-daemonset") && !p.getMetadata().getName()
                        .contains(version.replace('.', '-'))));
        client.pods().inNamespace("gpu-operator").resource(driverPod(node, version)).create();
    }

    @Test
    void theGpuOperatorMethodMovesOneNodeAndRollsItBack() {
        operatorNode("gpu-op-1", "r09");
        client.nodes().resource(KubernetesNodesTest.gpuNode("gpu-op-2", false, "r09")).create();
        inventory.refresh();
        String plan = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: operator-570
                spec:
                  target:
                    nodes: [gpu-op-1]
                    components:
                      nvidia-driver: "570.133.20"
                  method:
                    type: gpu-operator
                  waves:
                    - name: all
                      size: rest
                """;
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        operatorStartsDriver("gpu-op-1", "570.133.20");
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK")
                .contains(rollout(id).getString("state")));
        JsonPath done = rollout(id);
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(done.getMap("waves[0].nodes[0].previousVersions")).containsEntry("nvidia-driver", "550.127.05");
        assertThat(done.getList("waves[0].nodes[0].checks.summary")).contains("driver pod runs 570.133.20",
                "node Ready, 8 allocatable GPUs, validator ready");
        assertThat(client.nodes().withName("gpu-op-1").get().getSpec().getUnschedulable()).isFalse();
        assertThat(driverLabel("gpu-op-2")).as("the other node is not touched").isNull();

        given().header("X-Waveline-Actor", "bob").when().post("/api/v1/rollouts/" + id + "/rollback").then().statusCode(200);
        operatorStartsDriver("gpu-op-1", "550.127.05");
        await().atMost(Duration.ofSeconds(60)).until(() -> "ROLLED_BACK".equals(rollout(id).getString("state")));
        assertThat(driverLabel("gpu-op-1")).isEqualTo("550.127.05");
        Node back = client.nodes().withName("gpu-op-1").get();
        assertThat(back.getSpec().getUnschedulable()).isFalse();
        assertThat(back.getMetadata().getLabels()).containsEntry(KubernetesNodes.STATE, "rolled-back");
        List<String> kinds = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath().getList("kind");
        assertThat(kinds).containsSubsequence("node.cordoned", "node.drained", "node.install-started", "node.installed",
                "node.succeeded", "rollout.rollback-requested", "node.rollback-started", "node.cordoned", "node.drained",
                "node.install-started", "node.rolled-back");
    }

    @Test
    void aDriverPodThatCannotPullItsImageFailsTheNodeAndItGoesBack() {
        operatorNode("gpu-op-3", "r10");
        inventory.refresh();
        String plan = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: operator-bad-image
                spec:
                  target:
                    nodes: [gpu-op-3]
                    components:
                      nvidia-driver: "575.0.1"
                  method:
                    type: gpu-operator
                  waves:
                    - name: all
                      size: rest
                  failurePolicy:
                    onFailure: rollback-wave
                """;
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "575.0.1".equals(driverLabel("gpu-op-3")));
        Pod broken = driverPod("gpu-op-3", "575.0.1");
        broken.getStatus().setConditions(List.of());
        broken.getStatus().setContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder().withName("main")
                .withNewState().withNewWaiting().withReason("ImagePullBackOff").withMessage("nvcr.io/nvidia/driver:575.0.1-ubuntu22.04 not found")
                .endWaiting().endState().build()));
        client.pods().inNamespace("gpu-operator").resource(broken).create();
        operatorStartsDriver("gpu-op-3", "550.127.05");
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK")
                .contains(rollout(id).getString("state")));
        JsonPath done = rollout(id);
        assertThat(done.getString("state")).isEqualTo("ROLLED_BACK");
        assertThat(done.getString("waves[0].nodes[0].lastError")).startsWith("install of nvidia-driver 575.0.1 failed (exit 1): driver pod")
                .endsWith("ImagePullBackOff: nvcr.io/nvidia/driver:575.0.1-ubuntu22.04 not found");
        assertThat(driverLabel("gpu-op-3")).isEqualTo("550.127.05");
        assertThat(client.nodes().withName("gpu-op-3").get().getSpec().getUnschedulable()).isFalse();
    }

    @Test
    void thePlansOperatorNamespaceIsUsedAndTheOperatorsValidationIsWaitedFor() {
        String ns = "nvidia-gpu-operator";
        Node node = KubernetesNodesTest.gpuNode("gpu-op-4", false, "r10");
        node.getMetadata().getLabels().put(GpuOperatorUpgrader.DRIVER_LABEL, "550.127.05");
        client.nodes().resource(node).create();
        Pod oldDriver = driverPod("gpu-op-4", "550.127.05");
        oldDriver.getMetadata().setNamespace(ns);
        client.pods().inNamespace(ns).resource(oldDriver).create();
        Pod validator = KubernetesNodesTest.pod(ns, "nvidia-operator-validator-op4", "gpu-op-4", Map.of("app", "nvidia-operator-validator"),
                "DaemonSet", "Running");
        validator.getStatus().getConditions().get(0).setStatus("False");
        client.pods().inNamespace(ns).resource(validator).create();
        inventory.refresh();
        String plan = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: operator-570-ns
                spec:
                  target:
                    nodes: [gpu-op-4]
                    components:
                      nvidia-driver: "570.133.20"
                  method:
                    type: gpu-operator
                    namespace: nvidia-gpu-operator
                    validatorTimeout: 5m
                  waves:
                    - name: all
                      size: rest
                """;
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "570.133.20".equals(driverLabel("gpu-op-4")));
        await().atMost(Duration.ofSeconds(30)).until(() -> client.pods().inNamespace(ns).withName(oldDriver.getMetadata().getName()).get() == null);
        Pod newDriver = driverPod("gpu-op-4", "570.133.20");
        newDriver.getMetadata().setNamespace(ns);
        client.pods().inNamespace(ns).resource(newDriver).create();
        await().atMost(Duration.ofSeconds(30)).until(() -> given().when().get("/api/v1/rollouts/" + id + "/events").then().extract()
                .jsonPath().getList("kind").contains("node.waiting-for-validator"));
        assertThat(rollout(id).getString("waves[0].nodes[0].state")).isEqualTo("VALIDATING");
        validator.getStatus().getConditions().get(0).setStatus("True");
        client.pods().inNamespace(ns).resource(validator).update();
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK").contains(rollout(id).getString("state")));
        JsonPath done = rollout(id);
        assertThat(done.getString("state")).isEqualTo("SUCCEEDED");
        assertThat(done.getList("waves[0].nodes[0].checks.summary")).contains("driver pod runs 570.133.20",
                "node Ready, 8 allocatable GPUs, validator ready");
        List<String> waits = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath()
                .getList("findAll { it.kind == 'node.waiting-for-validator' }.message");
        assertThat(waits).containsExactly("waiting for the GPU Operator's validation (validator pod(s) not ready:"
                + " nvidia-gpu-operator/nvidia-operator-validator-op4), at most 5m");
    }

    @Test
    void theClusterPolicyModeIsRefusedWithWhatToDo() {
        client.nodes().resource(KubernetesNodesTest.gpuNode("gpu-op-5", false, "r11")).create();
        inventory.refresh();
        String plan = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: operator-cp
                spec:
                  target:
                    nodes: [gpu-op-5]
                    components:
                      nvidia-driver: "570.133.20"
                  method:
                    type: gpu-operator
                    mode: clusterpolicy
                  waves:
                    - name: all
                      size: rest
                """;
        given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(422)
                .body("detail", org.hamcrest.Matchers.containsString("mode: clusterpolicy (one driver for the whole cluster, the"
                        + " operator's own upgrade controller) is not supported: remove mode or set it to nvidiadriver"));
    }

    @Test
    void aNodeQuarantinedByTheWaveXidScanIsCordonedAndLabelled() {
        Node node = KubernetesNodesTest.gpuNode("gpu-h100-13", false, "r04");
        node.getStatus().setAllocatable(Map.of("nvidia.com/gpu", new Quantity("8")));
        client.nodes().resource(node).create();
        Pod validator = KubernetesNodesTest.pod("gpu-operator", "nvidia-operator-validator-h10013", "gpu-h100-13",
                Map.of("app", "nvidia-operator-validator"), "DaemonSet", "Running");
        client.pods().inNamespace("gpu-operator").resource(validator).create();
        inventory.refresh();
        String plan = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: k8s-wave-xid
                spec:
                  target:
                    nodes: [gpu-h100-13]
                    components:
                      nvidia-driver: "570.86.34"
                      nvidia-fabricmanager: "570.86.34"
                  waves:
                    - name: all
                      size: rest
                  failurePolicy:
                    maxFailuresPerWave: 0
                    onFailure: rollback-wave
                """;
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK")
                .contains(rollout(id).getString("state")));
        JsonPath done = rollout(id);
        assertThat(done.getString("waves[0].nodes[0].state")).isEqualTo("QUARANTINED");
        assertThat(done.getString("waves[0].nodes[0].lastError")).startsWith("xid after wave all: XID 79");
        Node after = client.nodes().withName("gpu-h100-13").get();
        assertThat(after.getSpec().getUnschedulable()).as("taken out of service again").isTrue();
        assertThat(after.getMetadata().getLabels()).containsEntry(KubernetesNodes.STATE, "quarantined")
                .containsEntry(KubernetesNodes.ROLLOUT, Long.toString(id));
        assertThat(after.getMetadata().getAnnotations().get(KubernetesNodes.REASON)).startsWith("xid after wave all: XID 79");
        List<String> kinds = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath().getList("kind");
        assertThat(kinds).containsSubsequence("node.succeeded", "node.quarantined", "wave.checked");
    }
}
