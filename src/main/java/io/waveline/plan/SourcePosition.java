package io.waveline.plan;

import org.yaml.snakeyaml.nodes.Node;

/** Where a value stood in its YAML file (1-based), kept on plan records so later checks can point at it. */
public record SourcePosition(int line, int column) {

    public static final SourcePosition UNKNOWN = new SourcePosition(0, 0);

    public static SourcePosition of(Node node) {
        if (node == null || node.getStartMark() == null) {
            return UNKNOWN;
        }
        return new SourcePosition(node.getStartMark().getLine() + 1, node.getStartMark().getColumn() + 1);
    }
}
