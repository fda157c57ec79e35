package io.waveline.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** The manifests in {@code deploy/} parse, the kustomization lists files that exist, and the Deployment is hardened. */
class DeployManifestsTest {

    static List<Map<String, Object>> documents(Path file) throws IOException {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
            if (doc != null) {
                @SuppressWarnings("unchecked")
                Map<String, Object> map = (Map<String, Object>) doc;
                docs.add(map);
            }
        }
        return docs;
    }

    @SuppressWarnings("unchecked")
    static <T> T at(Object root, String... path) {
        Object node = root;
        for (String key : path) {
            node = key.matches("\\d+") ? ((List<Object>) node).get(Integer.parseInt(key)) : ((Map<String, Object>) node).get(key);
        }
        return (T) node;
    }

    @Test
    void everyManifestParsesAndTheKustomizationListsThem() throws IOException {
        Map<String, Object> kustomization = documents(Path.of("deploy/kustomization.yaml")).get(0);
        List<String> resources = at(kustomization, "resources");
        List<String> kinds = new ArrayList<>();
        for (String resource : resources) {
            Path file = Path.of("deploy", resource);
            assertThat(file).as(resource).exists();
            for (Map<String, Object> doc : documents(file)) {
                assertThat(doc).containsKeys("apiVersion", "kind", "metadata");
                kinds.add(doc.get("kind").toString());
            }
        }
        assertThat(kinds).containsExactlyInAnyOrder("Namespace", "ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap",
                "Deployment", "Service", "PodDisruptionBudget");
        assertThat(documents(Path.of("deploy/secrets.yaml"))).extracting(d -> at(d, "metadata", "name"))
                .containsExactly("waveline-database", "waveline-ssh", "waveline-access", "waveline-redfish", "waveline-bmc-ca");
    }

    @Test
    void theDeploymentRunsTwoHardenedReplicasWithHealthProbes() throws IOException {
        Map<String, Object> deployment = documents(Path.of("deploy/deployment.yaml")).get(0);
        assertThat((Integer) at(deployment, "spec", "replicas")).isEqualTo(2);
        Map<String, Object> pod = at(deployment, "spec", "template", "spec");
        assertThat((String) at(pod, "serviceAccountName")).isEqualTo("waveline");
        assertThat((Boolean) at(pod, "securityContext", "runAsNonRoot")).isTrue();
        Map<String, Object> container = at(pod, "containers", "0");
        assertThat((String) at(container, "readinessProbe", "httpGet", "path")).isEqualTo("/q/health/ready");
        assertThat((String) at(container, "livenessProbe", "httpGet", "path")).isEqualTo("/q/health/live");
        assertThat((Boolean) at(container, "securityContext", "readOnlyRootFilesystem")).isTrue();
        assertThat((Boolean) at(container, "securityContext", "allowPrivilegeEscalation")).isFalse();
        assertThat((Map<String, Object>) at(container, "resources", "requests")).containsKeys("cpu", "memory");
        List<Map<String, Object>> env = at(container, "env");
        assertThat(env).extracting(e -> e.get("name")).contains("WAVELINE_KUBERNETES_ENABLED", "WAVELINE_ENGINE_REPLICA_ID",
                "WAVELINE_PLANS_DIR");
        assertThat(env).filteredOn(e -> "JAVA_TOOL_OPTIONS".equals(e.get("name"))).extracting(e -> (String) e.get("value"))
                .as("the engine's threads run at a lower OS priority than the API's").singleElement().asString()
                .contains("-XX:ThreadPriorityPolicy=1", "-XX:JavaPriority1_To_OSPriority=10", "-XX:CompilerThreadPriority=10");
        Map<String, Object> binding = documents(Path.of("deploy/clusterrolebinding.yaml")).get(0);
        assertThat((String) at(binding, "subjects", "0", "name")).isEqualTo("waveline");
        assertThat((String) at(binding, "roleRef", "name")).isEqualTo("waveline");
    }
}
