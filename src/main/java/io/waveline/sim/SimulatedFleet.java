package io.waveline.sim;

import io.waveline.fleet.FleetNode;
import io.waveline.fleet.InventorySource;
import io.waveline.fleet.InventoryException;
import io.waveline.fleet.NodeDraft;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import io.waveline.plan.Problems;
import io.waveline.plan.SourcePosition;
import io.waveline.plan.YamlMapping;

/**
 * A simulated fleet described by a YAML file of node groups ({@code WAVELINE_SIM_FLEET}; the demo's ships as
 * {@code sim/default-fleet.yaml}). Each group makes {@code count} nodes named {@code <name>-01}..., placed in its
 * racks in equal blocks, with labels ({@code {rack}} in a value becomes the node's rack), labels that cycle over
 * the nodes, GPU facts, versions, per-node overrides and nodes out of service; optionally the simulator's step
 * {@code timings} and {@code faults}. Errors name file, line and field.
 */
public final class SimulatedFleet implements InventorySource {

    public static final String DEFAULT_RESOURCE = "sim/default-fleet.yaml";

    private final Optional<Path> file;

    public SimulatedFleet() {
        this(Optional.empty());
    }

    public SimulatedFleet(Optional<Path> file) {
        this.file = file;
    }

    @Override
    public String name() {
        return "simulated";
    }

    /** The whole file: the nodes, and the simulator's step timings and fault rules when the file gives them. */
    public record Spec(List<FleetNode> nodes, Optional<String> installDuration, Optional<String> rebootDuration,
            Optional<String> burnInDuration, List<String> faults) {
    }

    @Override
    public List<FleetNode> load() {
        return spec().nodes();
    }

    public Spec spec() {
        try {
            if (file.isPresent()) {
                return parseSpec(file.get().toString(), Files.readString(file.get()));
            }
            try (InputStream in = SimulatedFleet.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
                return parseSpec(DEFAULT_RESOURCE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the simulated fleet " + file.map(Path::toString)
                    .orElse(DEFAULT_RESOURCE) + ": " + e.getMessage(), e);
        } catch (InventoryException e) {
            throw new IllegalArgumentException("the simulated fleet is invalid: " + e.getMessage(), e);
        }
    }

    public static List<FleetNode> parse(String fileName, String text) throws InventoryException {
        return parseSpec(fileName, text).nodes();
    }

    public static Spec parseSpec(String fileName, String text) throws InventoryException {
        Problems problems = new Problems(fileName);
        List<FleetNode> nodes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String[] timings = new String[3];
        List<String> faults = new ArrayList<>();
        YamlMapping.parseDocument(text, problems).ifPresent(root -> {
            for (YamlMapping.Item item : root.list("groups")) {
                YamlMapping.of(item.node(), item.path(), problems).ifPresent(group -> group(group, problems, nodes));
            }
            root.mapping("timings").ifPresent(t -> {
                timings[0] = duration(t, "install", problems);
                timings[1] = duration(t, "reboot", problems);
                timings[2] = duration(t, "burnIn", problems);
                t.finish();
            });
            for (YamlMapping.Item item : root.list("faults")) {
                YamlMapping.of(item.node(), item.path(), problems).ifPresent(f -> {
                    Optional<String> when = f.requiredString("when", "a driver version, <version>@<node> or *@<node>");
                    Optional<String> fault = f.requiredString("fault", "one of " + SimFault.words());
                    fault.filter(w -> SimFault.byWord(w).isEmpty()).ifPresent(w -> problems.error(f.positionOf("fault"), f.child("fault"),
                            "\"" + w + "\" is not a fault; use one of " + SimFault.words()));
                    if (when.isPresent() && fault.isPresent()) {
                        faults.add(when.get() + ":" + fault.get());
                    }
                    f.finish();
                });
            }
            root.finish();
        });
        for (FleetNode node : nodes) {
            if (!names.add(node.name())) {
                problems.error(SourcePosition.UNKNOWN, "groups", "node " + node.name() + " is made by two groups");
            }
        }
        if (problems.hasErrors()) {
            throw new InventoryException(problems.errors());
        }
        return new Spec(List.copyOf(nodes), Optional.ofNullable(timings[0]), Optional.ofNullable(timings[1]),
                Optional.ofNullable(timings[2]),
                List.copyOf(faults));
    }

    private static String duration(YamlMapping timings, String field, Problems problems) {
        Optional<String> text = timings.string(field);
        if (text.isPresent() && io.waveline.plan.Durations.parse(text.get()).isEmpty()) {
            problems.error(timings.positionOf(field), timings.child(field), "\"" + text.get() + "\" is not a duration; "
                    + io.waveline.plan.Durations.HINT);
            return null;
        }
        return text.orElse(null);
    }

    private static void group(YamlMapping group, Problems problems, List<FleetNode> nodes) {
        Optional<String> prefix = group.requiredString("name", "the node name prefix, e.g. gpu-h100");
        int count = group.integer("count", 1, 100_000).orElse(0);
        List<YamlMapping.Scalar> racks = group.scalars("racks");
        Map<String, YamlMapping.Scalar> labels = group.scalarMap("labels");
        Map<String, List<YamlMapping.Scalar>> cycles = new java.util.LinkedHashMap<>();
        group.mapping("cycle").ifPresent(cycle -> {
            for (String key : cycle.keys()) {
                cycles.put(key, cycle.scalars(key));
            }
            cycle.finish();
        });
        Optional<YamlMapping> gpu = group.mapping("gpu");
        Map<String, YamlMapping.Scalar> versions = group.scalarMap("versions");
        Set<String> outOfService = new HashSet<>();
        group.scalars("outOfService").forEach(s -> outOfService.add(s.value()));
        Map<String, YamlMapping> overrides = new java.util.HashMap<>();
        group.mapping("overrides").ifPresent(o -> {
            for (String key : o.keys()) {
                o.mapping(key).ifPresent(m -> overrides.put(key, m));
            }
            o.finish();
        });
        if (prefix.isEmpty() || count == 0) {
            group.finish();
            return;
        }
        int width = Math.max(2, Integer.toString(count).length());
        int perRack = racks.isEmpty() ? count : (int) Math.ceil(count / (double) racks.size());
        for (int i = 1; i <= count; i++) {
            String name = prefix.get() + "-" + String.format("%0" + width + "d", i);
            NodeDraft draft = new NodeDraft(name, group.position(), group.path(), problems);
            draft.address("127.0.0.1", group.position(), group.path());
            draft.user("waveline", group.position(), group.path());
            String rack = racks.isEmpty() ? "" : racks.get(Math.min((i - 1) / perRack, racks.size() - 1)).value();
            if (!rack.isEmpty()) {
                draft.label("rack", rack, group.position(), group.child("racks"));
            }
            for (Map.Entry<String, YamlMapping.Scalar> label : labels.entrySet()) {
                draft.label(label.getKey(), label.getValue().value().replace("{rack}", rack), label.getValue().position(),
                        label.getValue().path());
            }
            for (Map.Entry<String, List<YamlMapping.Scalar>> cycle : cycles.entrySet()) {
                if (!cycle.getValue().isEmpty()) {
                    YamlMapping.Scalar value = cycle.getValue().get((i - 1) % cycle.getValue().size());
                    draft.label(cycle.getKey(), value.value(), value.position(), value.path());
                }
            }
            gpu.ifPresent(draft::gpu);
            versions.forEach((component, version) -> draft.version(component, version.value(), version.position(), version.path()));
            YamlMapping override = overrides.get(name);
            if (override != null) {
                override.scalarMap("versions").forEach((component, version) ->
                        draft.version(component, version.value(), version.position(), version.path()));
                override.scalarMap("labels").forEach((key, value) ->
                        draft.label(key, value.value(), value.position(), value.path()));
            }
            if (outOfService.contains(name)) {
                draft.available("false", group.position(), group.child("outOfService"));
            }
            nodes.add(draft.build("simulated"));
        }
        gpu.ifPresent(YamlMapping::finish);
        overrides.values().forEach(YamlMapping::finish);
        group.finish();
    }
}
