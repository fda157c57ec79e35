package io.waveline.rollout.port;

import java.util.List;
import java.util.Map;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/**
 * Which {@link NodeOperations} adapter holds a node: the first scheduler adapter that says it manages the node's
 * labels, or else the bare-metal one ({@link BareMetal}). A new scheduler is a new adapter bean and nothing else.
 */
@ApplicationScoped
public class NodeOperationsSelection {

    /** Marks the adapter for nodes that no scheduler holds; it is asked last. */
    public interface BareMetal extends NodeOperations {

        @Override
        default boolean manages(Map<String, String> labels) {
            return true;
        }
    }

    @Inject
    @Any
    Instance<NodeOperations> adapters;

    private List<NodeOperations> schedulers;
    private NodeOperations bareMetal;

    @PostConstruct
    void index() {
        schedulers = adapters.stream().filter(a -> !(a instanceof BareMetal)).toList();
        bareMetal = adapters.stream().filter(a -> a instanceof BareMetal).findFirst()
                .orElseThrow(() -> new IllegalStateException("no bare-metal NodeOperations adapter"));
    }

    public NodeOperations of(Map<String, String> labels) {
        Map<String, String> known = labels == null ? Map.of() : labels;
        return schedulers.stream().filter(a -> a.manages(known)).findFirst().orElse(bareMetal);
    }
}
