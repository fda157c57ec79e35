package io.waveline.fleet;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.waveline.plan.Problems;
import io.waveline.plan.YamlMapping;

/**
 * The static inventory format (YAML), the simplest source:
 *
 * <pre>
 * nodes:
 *   - name: gpu-h100-001
 *     address: 10.0.1.11
 *     port: 22
 *     user: waveline
 *     labels: {pool: h100, rack: r01, nvlink-domain: nvl-01}
 *     gpu: {vendor: nvidia, model: H100-SXM5-80GB, count: 8, nvswitch: true}
 *     versions: {nvidia-driver: 550.127.05, nvidia-fabricmanager: 550.127.05}
 *     available: true
 * </pre>
 */
public final class StaticInventoryFile {

    private StaticInventoryFile() {
    }

    public static List<FleetNode> parse(String fileName, String text, String source) throws InventoryException {
        Problems problems = new Problems(fileName);
        List<FleetNode> nodes = new ArrayList<>();
        Optional<YamlMapping> root = YamlMapping.parseDocument(text, problems);
        if (root.isPresent()) {
            Set<String> names = new HashSet<>();
            if (!root.get().has("nodes")) {
                problems.error(root.get().position(), "nodes", "is required; list the nodes of the fleet");
            }
            for (YamlMapping.Item item : root.get().list("nodes")) {
                YamlMapping.of(item.node(), item.path(), problems).flatMap(n -> node(n, problems)).ifPresent(node -> {
                    if (!names.add(node.name())) {
                        problems.error(item.position(), item.path() + ".name", "\"" + node.name()
                                + "\" is listed twice; node names must be unique");
                    }
                    nodes.add(node.build(source));
                });
            }
            root.get().finish();
        }
        if (problems.hasErrors()) {
            throw new InventoryException(problems.errors());
        }
        return List.copyOf(nodes);
    }

    private static Optional<NodeDraft> node(YamlMapping n, Problems problems) {
        Optional<String> name = n.requiredString("name", "every node needs a unique name");
        if (name.isEmpty()) {
            return Optional.empty();
        }
        NodeDraft draft = new NodeDraft(name.get(), n.positionOf("name"), n.child("name"), problems);
        n.string("address").ifPresent(v -> draft.address(v, n.positionOf("address"), n.child("address")));
        n.string("port").ifPresent(v -> draft.port(v, n.positionOf("port"), n.child("port")));
        n.string("user").ifPresent(v -> draft.user(v, n.positionOf("user"), n.child("user")));
        n.string("available").ifPresent(v -> draft.available(v, n.positionOf("available"), n.child("available")));
        for (Map.Entry<String, YamlMapping.Scalar> label : n.scalarMap("labels").entrySet()) {
            draft.label(label.getKey(), label.getValue().value(), label.getValue().position(), label.getValue().path());
        }
        for (Map.Entry<String, YamlMapping.Scalar> version : n.scalarMap("versions").entrySet()) {
            draft.version(version.getKey(), version.getValue().value(), version.getValue().position(),
                    version.getValue().path());
        }
        n.mapping("gpu").ifPresent(gpu -> {
            draft.gpu(gpu);
            gpu.finish();
        });
        n.finish();
        return Optional.of(draft);
    }
}
