package io.waveline.rollout;

import org.jboss.logging.MDC;

/**
 * The rollout and node a worker's log lines are about, in the logging context (MDC keys {@code rolloutId} and
 * {@code node}) while it steps a node: with JSON logs on, every line carries them as fields (under {@code mdc}), so a
 * node's lines can be found in Loki or Elasticsearch.
 */
final class NodeLogContext implements AutoCloseable {

    static final String ROLLOUT = "rolloutId";
    static final String NODE = "node";

    private NodeLogContext() {
    }

    static NodeLogContext of(NodeRun run) {
        MDC.put(ROLLOUT, Long.toString(run.rolloutId));
        MDC.put(NODE, run.nodeName);
        return new NodeLogContext();
    }

    @Override
    public void close() {
        MDC.remove(ROLLOUT);
        MDC.remove(NODE);
    }
}
