package io.waveline.plan;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Strict reader over one YAML mapping that remembers where every value stood.
 *
 * <p>Fields are read by name; every read marks the name as known. {@link #finish()} then reports every key
 * nobody asked for as an unknown field, with the closest known name as a suggestion. Type errors are reported
 * to the shared {@link Problems} with the file, line, column and field path, and the reader answers empty,
 * so a document is always read to its end and every problem is reported in one pass.
 */
public final class YamlMapping {

    private static final int MAX_DOCUMENT_CHARS = 1_000_000;

    private final MappingNode node;
    private final String path;
    private final Problems problems;
    private final Map<String, NodeTuple> entries = new LinkedHashMap<>();
    private final Set<String> known = new LinkedHashSet<>();

    private YamlMapping(MappingNode node, String path, Problems problems) {
        this.node = node;
        this.path = path;
        this.problems = problems;
        for (NodeTuple tuple : node.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar)) {
                problems.error(keyNode, path, "keys must be plain names");
                continue;
            }
            String key = scalar.getValue();
            if (entries.containsKey(key)) {
                problems.error(keyNode, child(key), "is given twice; keep one");
            } else {
                entries.put(key, tuple);
            }
        }
    }

    /** Parses a whole document; syntax errors become problems and the answer is empty. */
    public static Optional<YamlMapping> parseDocument(String text, Problems problems) {
        if (text == null || text.isBlank()) {
            problems.error(SourcePosition.UNKNOWN, "", "the document is empty");
            return Optional.empty();
        }
        if (text.length() > MAX_DOCUMENT_CHARS) {
            problems.error(DocumentLimits.positionOfChar(text, MAX_DOCUMENT_CHARS), "", "the document is over "
                    + MAX_DOCUMENT_CHARS + " characters (this is where the limit is passed); split it or shorten it");
            return Optional.empty();
        }
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(true);
        options.setMaxAliasesForCollections(20);
        options.setAllowRecursiveKeys(false);
        options.setProcessComments(false);
        Node root;
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            SourcePosition at = mark == null ? SourcePosition.UNKNOWN
                    : new SourcePosition(mark.getLine() + 1, mark.getColumn() + 1);
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            problems.error(at, "", "is not valid YAML: " + what);
            return Optional.empty();
        } catch (YAMLException e) {
            problems.error(DocumentLimits.whereRefused(text, options), "", "is not valid YAML: " + e.getMessage());
            return Optional.empty();
        }
        if (root == null) {
            problems.error(SourcePosition.UNKNOWN, "", "the document is empty");
            return Optional.empty();
        }
        if (!(root instanceof MappingNode mapping)) {
            problems.error(root, "", "the document must be a mapping of fields (key: value)");
            return Optional.empty();
        }
        return Optional.of(new YamlMapping(mapping, "", problems));
    }

    public static Optional<YamlMapping> of(Node node, String path, Problems problems) {
        if (node instanceof MappingNode mapping) {
            return Optional.of(new YamlMapping(mapping, path, problems));
        }
        problems.error(node, path, "must be a mapping of fields (key: value)");
        return Optional.empty();
    }

    public String path() {
        return path;
    }

    public SourcePosition position() {
        return SourcePosition.of(node);
    }

    public Problems problems() {
        return problems;
    }

    public String child(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    public Set<String> keys() {
        return entries.keySet();
    }

    public boolean has(String key) {
        known.add(key);
        return entries.containsKey(key) && !isNull(entries.get(key).getValueNode());
    }

    public Optional<Node> node(String key) {
        known.add(key);
        NodeTuple tuple = entries.get(key);
        if (tuple == null || isNull(tuple.getValueNode())) {
            return Optional.empty();
        }
        return Optional.of(tuple.getValueNode());
    }

    /** Position of a key's value, or of this mapping when the key is absent. */
    public SourcePosition positionOf(String key) {
        return node(key).map(SourcePosition::of).orElse(position());
    }

    public Optional<String> string(String key) {
        return node(key).flatMap(value -> scalar(value, child(key), problems));
    }

    public Optional<String> requiredString(String key, String hint) {
        if (!has(key)) {
            problems.error(node, child(key), "is required; " + hint);
            return Optional.empty();
        }
        return string(key);
    }

    public Optional<Integer> integer(String key, int min, int max) {
        return string(key).flatMap(text -> {
            try {
                int value = Integer.parseInt(text.trim());
                if (value < min || value > max) {
                    problems.error(node(key).orElseThrow(), child(key),
                            "\"" + text + "\" is out of range; use a whole number from " + min + " to " + max);
                    return Optional.empty();
                }
                return Optional.of(value);
            } catch (NumberFormatException e) {
                problems.error(node(key).orElseThrow(), child(key),
                        "\"" + text + "\" is not a whole number; use a number from " + min + " to " + max);
                return Optional.empty();
            }
        });
    }

    public Optional<Boolean> bool(String key) {
        return string(key).flatMap(text -> {
            switch (text) {
                case "true":
                    return Optional.of(true);
                case "false":
                    return Optional.of(false);
                default:
                    problems.error(node(key).orElseThrow(), child(key), "\"" + text + "\" must be true or false");
                    return Optional.empty();
            }
        });
    }

    public Optional<YamlMapping> mapping(String key) {
        return node(key).flatMap(value -> of(value, child(key), problems));
    }

    /** The items of a list field, each with its own path ({@code field[i]}); empty when absent or not a list. */
    public List<Item> list(String key) {
        Optional<Node> value = node(key);
        if (value.isEmpty()) {
            return List.of();
        }
        if (!(value.get() instanceof SequenceNode sequence)) {
            problems.error(value.get(), child(key), "must be a list (items starting with \"- \" or [a, b])");
            return List.of();
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < sequence.getValue().size(); i++) {
            items.add(new Item(sequence.getValue().get(i), child(key) + "[" + i + "]"));
        }
        return items;
    }

    /** A list of plain values. */
    public List<Scalar> scalars(String key) {
        List<Scalar> values = new ArrayList<>();
        for (Item item : list(key)) {
            scalar(item.node(), item.path(), problems)
                    .ifPresent(text -> values.add(new Scalar(text, SourcePosition.of(item.node()), item.path())));
        }
        return values;
    }

    /** A mapping of names to plain values (labels, versions, settings), in document order. */
    public Map<String, Scalar> scalarMap(String key) {
        Map<String, Scalar> values = new LinkedHashMap<>();
        mapping(key).ifPresent(inner -> {
            for (String name : inner.keys()) {
                inner.node(name).ifPresent(valueNode -> scalar(valueNode, inner.child(name), problems)
                        .ifPresent(text -> values.put(name,
                                new Scalar(text, SourcePosition.of(valueNode), inner.child(name)))));
                if (!inner.has(name)) {
                    values.put(name, new Scalar("", inner.positionOf(name), inner.child(name)));
                }
            }
        });
        return values;
    }

    /** Reports every key that no read asked for. Call once, after reading all fields. */
    public void finish() {
        for (Map.Entry<String, NodeTuple> entry : entries.entrySet()) {
            if (!known.contains(entry.getKey())) {
                problems.error(entry.getValue().getKeyNode(), child(entry.getKey()),
                        "unknown field" + Suggestions.didYouMean(entry.getKey(), known)
                                + "; allowed here: " + String.join(", ", known));
            }
        }
    }

    public static Optional<String> scalar(Node value, String path, Problems problems) {
        if (value instanceof ScalarNode scalar) {
            return Optional.of(scalar.getValue());
        }
        problems.error(value, path, "must be a single value, not a "
                + (value instanceof SequenceNode ? "list" : "mapping"));
        return Optional.empty();
    }

    private static boolean isNull(Node value) {
        return value instanceof ScalarNode && Tag.NULL.equals(value.getTag());
    }

    /** One list item and its path. */
    public record Item(Node node, String path) {
        public SourcePosition position() {
            return SourcePosition.of(node);
        }
    }

    /** One plain value, with where it stood. */
    public record Scalar(String value, SourcePosition position, String path) {
    }
}
