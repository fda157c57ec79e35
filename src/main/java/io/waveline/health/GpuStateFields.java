package io.waveline.health;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The GPU state query's fields each node is asked for. A GPU generation refuses the whole query for a field it lacks
 * (page retirement before Ampere only, row remapping from Ampere on: {@link GpuStateQuery}), so without this every
 * query of an Ampere or later GPU would fail once before it is asked again. What a node's GPUs refused of those
 * generation-bound fields is kept, keyed by the node and the runner, and left out of its later queries while the
 * node shows the same GPUs (by UUID, seen at each baseline): a node whose GPUs were replaced is asked for every field
 * again. The clock events' name depends on the driver, so it is always asked for under its current name first.
 */
final class GpuStateFields {

    /** The fields whose support depends on the GPU generation only. */
    static final Set<String> GENERATION_BOUND = Set.of("retired_pages.pending", "remapped_rows.pending", "remapped_rows.failure");

    /** The GPUs' UUIDs as a hash (a fleet keeps one of these per node), and the fields (one shared list per kind). */
    private record Known(int gpus, List<String> fields) {
    }

    private final Map<String, Known> byNode = new ConcurrentHashMap<>();
    private final Map<List<String>, List<String>> lists = new ConcurrentHashMap<>();

    /** The fields to ask the node for: every one, or all but those its GPUs refused. */
    List<String> fields(String node) {
        Known known = byNode.get(node);
        return known == null ? GpuStateQuery.FIELDS : known.fields();
    }

    /** Whether what is kept for the node was seen on these GPUs (true when nothing is kept). */
    boolean sameGpus(String node, Set<String> uuids) {
        Known known = byNode.get(node);
        return known == null || known.gpus() == uuids.hashCode();
    }

    /** After a baseline: the node's GPUs ({@code uuids}) answered the query with {@code answered}. */
    void learn(String node, Set<String> uuids, List<String> answered) {
        List<String> fields = GpuStateQuery.FIELDS.stream().filter(f -> !GENERATION_BOUND.contains(f) || answered.contains(f)).toList();
        if (fields.size() == GpuStateQuery.FIELDS.size()) {
            byNode.remove(node);
        } else {
            byNode.put(node, new Known(uuids.hashCode(), lists.computeIfAbsent(fields, f -> f)));
        }
    }
}
