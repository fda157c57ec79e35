package io.waveline.fleet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.yaml.snakeyaml.nodes.ScalarNode;

import io.waveline.plan.Problems;
import io.waveline.plan.SourcePosition;
import io.waveline.plan.YamlMapping;

/**
 * The YAML form of an Ansible inventory: {@code all:} (or any top-level groups) each with {@code hosts:},
 * {@code vars:} and {@code children:}, nested to any depth; host names may be ranges such as {@code gpu-[01:16]}.
 */
final class AnsibleYamlInventory {

    private AnsibleYamlInventory() {
    }

    static AnsibleInventory.Model read(String text, Problems problems) {
        AnsibleInventory.Model model = new AnsibleInventory.Model();
        model.group("all");
        model.group("ungrouped");
        Optional<YamlMapping> root = YamlMapping.parseDocument(text, problems);
        root.ifPresent(r -> {
            for (String group : r.keys()) {
                r.mapping(group).ifPresent(g -> group(group, g, model, problems));
                if (!r.has(group)) {
                    model.group(group);
                }
                if (!group.equals("all")) {
                    model.children.get("all").add(group);
                }
            }
        });
        return model;
    }

    private static void group(String name, YamlMapping group, AnsibleInventory.Model model, Problems problems) {
        model.group(name);
        group.mapping("vars").ifPresent(vars -> model.groupVars.get(name).putAll(scalarVars(vars)));
        group.mapping("hosts").ifPresent(hosts -> {
            for (String pattern : hosts.keys()) {
                SourcePosition at = hosts.positionOf(pattern);
                for (String host : AnsibleIniInventory.expand(pattern, at, problems)) {
                    model.host(host, name, at);
                    if (hosts.has(pattern)) {
                        hosts.mapping(pattern).ifPresent(vars -> model.hostVars.get(host).putAll(scalarVars(vars)));
                    }
                }
            }
        });
        group.mapping("children").ifPresent(children -> {
            for (String child : children.keys()) {
                model.group(child);
                model.children.get(name).add(child);
                if (children.has(child)) {
                    children.mapping(child).ifPresent(c -> group(child, c, model, problems));
                }
            }
        });
        group.finish();
    }

    /** Plain-valued variables; lists and mappings (common in real inventories) are not node facts and are skipped. */
    private static Map<String, AnsibleInventory.Var> scalarVars(YamlMapping vars) {
        Map<String, AnsibleInventory.Var> values = new LinkedHashMap<>();
        for (String key : vars.keys()) {
            vars.node(key).filter(ScalarNode.class::isInstance).map(ScalarNode.class::cast)
                    .ifPresent(value -> values.put(key, new AnsibleInventory.Var(value.getValue(),
                            vars.positionOf(key), vars.child(key))));
        }
        return values;
    }
}
