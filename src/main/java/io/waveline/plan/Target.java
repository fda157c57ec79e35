package io.waveline.plan;

import java.util.List;
import java.util.Optional;

/**
 * Which nodes a plan touches and what it installs on them. Nodes are those matching the selector plus those
 * named; excluded names and nodes matching the exclusion selector are then taken out.
 */
public record Target(Optional<LabelSelector> selector, List<String> nodes, List<String> excludeNodes,
        Optional<LabelSelector> excludeSelector, List<ComponentTarget> components, SourcePosition position) {

    public Optional<String> versionOf(String component) {
        return components.stream().filter(c -> c.component().equals(component)).map(ComponentTarget::version)
                .findFirst();
    }
}
