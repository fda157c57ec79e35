package io.waveline.plan;

import java.util.ArrayList;
import java.util.List;

import org.yaml.snakeyaml.nodes.Node;

/**
 * Collects every error and warning found while reading one document, so that a user sees all of them at once
 * instead of fixing one per run.
 */
public final class Problems {

    private final String file;
    private final List<PlanError> errors = new ArrayList<>();
    private final List<PlanError> warnings = new ArrayList<>();

    public Problems(String file) {
        this.file = file;
    }

    public String file() {
        return file;
    }

    public void error(Node node, String path, String message) {
        errors.add(at(node, path, message));
    }

    public void error(SourcePosition position, String path, String message) {
        errors.add(new PlanError(file, position.line(), position.column(), path, message));
    }

    public void warning(SourcePosition position, String path, String message) {
        warnings.add(new PlanError(file, position.line(), position.column(), path, message));
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }

    public List<PlanError> errors() {
        return List.copyOf(errors);
    }

    public List<PlanError> warnings() {
        return List.copyOf(warnings);
    }

    private PlanError at(Node node, String path, String message) {
        SourcePosition position = SourcePosition.of(node);
        return new PlanError(file, position.line(), position.column(), path, message);
    }
}
