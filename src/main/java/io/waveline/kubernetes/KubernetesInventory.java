package io.waveline.kubernetes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeAddress;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.waveline.fleet.FleetNode;
import io.waveline.fleet.InventoryException;
import io.waveline.fleet.InventorySource;
import io.waveline.plan.LabelSelector;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * GPU nodes discovered in a Kubernetes cluster: the nodes matching {@code waveline.kubernetes.node-selector}, with
 * what GPU Feature Discovery says of them ({@code nvidia.com/gpu.product}, {@code nvidia.com/gpu.count}, the driver
 * from {@code nvidia.com/cuda.driver.major|minor|rev}), their zone, rack and NVLink-domain labels, the internal IP
 * as SSH address, and availability (Ready and schedulable). Every node label is kept; Waveline adds
 * {@link #MARKER}, by which the engine knows to cordon and drain the node through the API. A node also in the
 * static inventory (same name) is merged with it there.
 */
@ApplicationScoped
public class KubernetesInventory implements InventorySource {

    /** Waveline's own label on nodes that came from Kubernetes (in its inventory, never written to the node). */
    public static final String MARKER = io.waveline.plan.NodeFacts.KUBERNETES_MARKER;

    @Inject
    KubernetesClient client;

    @Inject
    KubernetesSettings settings;

    @Override
    public String name() {
        return "kubernetes";
    }

    /** Read when {@code waveline.kubernetes.enabled}. */
    @Override
    public boolean enabled() {
        return settings.enabled();
    }

    @Override
    public List<FleetNode> load() throws InventoryException {
        LabelSelector selector;
        try {
            selector = LabelSelector.parse(settings.nodeSelector());
        } catch (LabelSelector.SyntaxException e) {
            throw new InventoryException("waveline.kubernetes.node-selector", "not a label selector: " + e.getMessage());
        }
        List<Node> nodes;
        try {
            nodes = client.nodes().list().getItems();
        } catch (KubernetesClientException e) {
            throw new InventoryException("kubernetes", "cannot list nodes: " + e.getMessage());
        }
        return nodes.stream().filter(n -> selector.matches(labels(n))).map(this::node).toList();
    }

    private static Map<String, String> labels(Node node) {
        return node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    }

    FleetNode node(Node node) {
        Map<String, String> source = labels(node);
        Map<String, String> labels = new HashMap<>(source);
        labels.put(MARKER, "true");
        Optional.ofNullable(source.get(settings.rackLabel())).ifPresent(r -> labels.put("rack", r));
        Optional.ofNullable(source.get("topology.kubernetes.io/zone")).ifPresent(z -> labels.put("zone", z));
        Optional.ofNullable(source.get(settings.nvlinkDomainLabel())).ifPresent(d -> labels.put("nvlink-domain", d));
        boolean gpus = "true".equals(source.get("nvidia.com/gpu.present"));
        int count = number(source.get("nvidia.com/gpu.count")).orElse(allocatableGpus(node));
        Map<String, String> versions = new HashMap<>();
        driverVersion(source).ifPresent(v -> versions.put("nvidia-driver", v));
        String address = node.getStatus() == null || node.getStatus().getAddresses() == null ? node.getMetadata().getName()
                : node.getStatus().getAddresses().stream().filter(a -> "InternalIP".equals(a.getType())).map(NodeAddress::getAddress)
                        .findFirst().orElse(node.getMetadata().getName());
        return new FleetNode(node.getMetadata().getName(), address, 22, null, Map.copyOf(labels), gpus ? "nvidia" : "",
                source.getOrDefault("nvidia.com/gpu.product", ""), count, false, Map.copyOf(versions),
                ready(node) && !Boolean.TRUE.equals(node.getSpec() == null ? null : node.getSpec().getUnschedulable()), name());
    }

    /** {@code nvidia.com/cuda.driver.major|minor|rev} (GFD) as one version, e.g. 550.127.05. */
    static Optional<String> driverVersion(Map<String, String> labels) {
        String major = labels.get("nvidia.com/cuda.driver.major");
        String minor = labels.get("nvidia.com/cuda.driver.minor");
        String rev = labels.get("nvidia.com/cuda.driver.rev");
        if (major == null || minor == null) {
            return Optional.empty();
        }
        return Optional.of(major + "." + minor + (rev == null || rev.isEmpty() ? "" : "." + rev));
    }

    static boolean ready(Node node) {
        return node.getStatus() != null && node.getStatus().getConditions() != null && node.getStatus().getConditions().stream()
                .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    static int allocatableGpus(Node node) {
        if (node.getStatus() == null || node.getStatus().getAllocatable() == null) {
            return 0;
        }
        Quantity gpus = node.getStatus().getAllocatable().get("nvidia.com/gpu");
        return gpus == null ? 0 : number(gpus.getAmount()).orElse(0);
    }

    private static Optional<Integer> number(String text) {
        try {
            return text == null ? Optional.empty() : Optional.of(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
