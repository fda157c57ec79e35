package io.waveline.fleet;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.waveline.plan.Components;
import io.waveline.plan.Problems;
import io.waveline.plan.SourcePosition;

/**
 * An Ansible inventory (INI or YAML form) read as a fleet. Groups and host variables follow Ansible's rules:
 * a host belongs to its groups and their ancestors; variables of {@code all} apply first, then of parent groups,
 * then of child groups (same depth: by name), then the host's own.
 *
 * <p>How variables become node fields: {@code ansible_host}, {@code ansible_port}, {@code ansible_user} say how to
 * reach the node; {@code gpu_vendor}, {@code gpu_model}, {@code gpu_count}, {@code nvswitch} and
 * {@code waveline_available} are its facts; {@code <component>_version} (e.g. {@code nvidia_driver_version}) its
 * installed versions; {@code pool}, {@code rack}, {@code zone}, {@code nvlink_domain}, {@code power_feed} and
 * {@code waveline_label_<key>} its labels; every group it is in becomes the label {@code group/<name>=true}.
 * Other variables are ignored.
 */
public final class AnsibleInventory {

    static final Set<String> LABEL_VARS = Set.of("pool", "rack", "zone", "nvlink_domain", "power_feed");
    static final String GROUP_LABEL_PREFIX = "group/";

    private AnsibleInventory() {
    }

    /** Reads either form: YAML when the file name ends in .yml/.yaml or the text starts like YAML, else INI. */
    public static List<FleetNode> parse(String fileName, String text, String source) throws InventoryException {
        Problems problems = new Problems(fileName);
        Model model = looksLikeYaml(fileName, text) ? AnsibleYamlInventory.read(text, problems)
                : AnsibleIniInventory.read(text, problems);
        List<FleetNode> nodes = problems.hasErrors() ? List.of() : model.nodes(problems, source);
        if (problems.hasErrors()) {
            throw new InventoryException(problems.errors());
        }
        return nodes;
    }

    private static boolean looksLikeYaml(String fileName, String text) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        if (lower.endsWith(".yml") || lower.endsWith(".yaml")) {
            return true;
        }
        if (lower.endsWith(".ini") || lower.endsWith(".cfg")) {
            return false;
        }
        return text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .findFirst().map(l -> l.equals("---") || l.matches("[A-Za-z0-9_]+:\\s*$")).orElse(false);
    }

    /** A variable's value and where it was set. */
    record Var(String value, SourcePosition position, String path) {
    }

    /** The inventory as Ansible sees it, before it is mapped to nodes. */
    static final class Model {
        final Map<String, Map<String, Var>> groupVars = new LinkedHashMap<>();
        final Map<String, Set<String>> children = new LinkedHashMap<>();
        final Map<String, Map<String, Var>> hostVars = new LinkedHashMap<>();
        final Map<String, Set<String>> hostGroups = new LinkedHashMap<>();
        final Map<String, SourcePosition> hostPositions = new HashMap<>();

        void group(String name) {
            groupVars.computeIfAbsent(name, k -> new LinkedHashMap<>());
            children.computeIfAbsent(name, k -> new LinkedHashSet<>());
        }

        void host(String name, String group, SourcePosition at) {
            group(group);
            hostVars.computeIfAbsent(name, k -> new LinkedHashMap<>());
            hostGroups.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(group);
            hostPositions.putIfAbsent(name, at);
        }

        List<FleetNode> nodes(Problems problems, String source) {
            Map<String, Integer> depth = depths(problems);
            List<FleetNode> nodes = new ArrayList<>();
            for (String host : hostVars.keySet()) {
                Set<String> groups = ancestors(hostGroups.get(host));
                groups.add("all");
                List<String> ordered = new ArrayList<>(groups);
                ordered.sort(Comparator.comparing((String g) -> depth.getOrDefault(g, 1)).thenComparing(g -> g));
                Map<String, Var> vars = new LinkedHashMap<>();
                ordered.forEach(g -> vars.putAll(groupVars.getOrDefault(g, Map.of())));
                vars.putAll(hostVars.get(host));
                SourcePosition at = hostPositions.getOrDefault(host, SourcePosition.UNKNOWN);
                NodeDraft draft = new NodeDraft(host, at, host, problems);
                for (String group : groups) {
                    if (!group.equals("all") && !group.equals("ungrouped")) {
                        draft.label(GROUP_LABEL_PREFIX + group, "true", at, host);
                    }
                }
                vars.forEach((name, var) -> apply(draft, name, var));
                nodes.add(draft.build(source));
            }
            return nodes;
        }

        private Set<String> ancestors(Set<String> direct) {
            Set<String> all = new LinkedHashSet<>(direct);
            boolean grew = true;
            while (grew) {
                grew = false;
                for (Map.Entry<String, Set<String>> parent : children.entrySet()) {
                    if (!all.contains(parent.getKey()) && parent.getValue().stream().anyMatch(all::contains)) {
                        all.add(parent.getKey());
                        grew = true;
                    }
                }
            }
            return all;
        }

        private Map<String, Integer> depths(Problems problems) {
            Map<String, Integer> depth = new HashMap<>();
            depth.put("all", 0);
            Set<String> visiting = new HashSet<>();
            for (String group : children.keySet()) {
                depthOf(group, depth, visiting, problems);
            }
            return depth;
        }

        private int depthOf(String group, Map<String, Integer> depth, Set<String> visiting, Problems problems) {
            if (depth.containsKey(group)) {
                return depth.get(group);
            }
            if (!visiting.add(group)) {
                problems.error(SourcePosition.UNKNOWN, group, "group \"" + group + "\" is its own ancestor; remove the cycle");
                return 1;
            }
            int mine = 1;
            for (Map.Entry<String, Set<String>> parent : children.entrySet()) {
                if (parent.getValue().contains(group) && !parent.getKey().equals("all")) {
                    mine = Math.max(mine, depthOf(parent.getKey(), depth, visiting, problems) + 1);
                }
            }
            visiting.remove(group);
            depth.put(group, mine);
            return mine;
        }
    }

    static void apply(NodeDraft draft, String name, Var var) {
        String value = var.value();
        SourcePosition at = var.position();
        String path = var.path();
        switch (name) {
            case "ansible_host":
                draft.address(value, at, path);
                return;
            case "ansible_port":
                draft.port(value, at, path);
                return;
            case "ansible_user":
                draft.user(value, at, path);
                return;
            case "gpu_vendor":
                draft.gpuVendor(value, at, path);
                return;
            case "gpu_model":
                draft.gpuModel(value, at, path);
                return;
            case "gpu_count":
                draft.gpuCount(value, at, path);
                return;
            case "nvswitch":
                draft.nvswitch(value, at, path);
                return;
            case "waveline_available":
                draft.available(value, at, path);
                return;
            default:
                break;
        }
        if (LABEL_VARS.contains(name)) {
            draft.label(name.replace('_', '-'), value, at, path);
        } else if (name.startsWith("waveline_label_") && name.length() > "waveline_label_".length()) {
            draft.label(name.substring("waveline_label_".length()), value, at, path);
        } else if (name.endsWith("_version")) {
            String component = name.substring(0, name.length() - "_version".length()).replace('_', '-');
            if (Components.ALL.contains(component)) {
                draft.version(component, value, at, path);
            }
        }
    }
}
