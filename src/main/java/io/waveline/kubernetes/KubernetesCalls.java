package io.waveline.kubernetes;

import java.util.function.Supplier;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.waveline.rollout.port.NodeUnreachableException;

/**
 * The Kubernetes API's own failures (a 429 or 5xx, a dropped connection, a node gone from the cluster) as the
 * engine's transient failure, so they are retried with backoff; anything else stays an exception (a bug).
 */
final class KubernetesCalls {

    /** A node that is no longer in the cluster. */
    static final class NodeGone extends RuntimeException {
        NodeGone(String message) {
            super(message);
        }
    }

    private KubernetesCalls() {
    }

    static <T> T call(Supplier<T> call) throws NodeUnreachableException {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            throw new NodeUnreachableException("Kubernetes API: " + (e.getStatus() != null && e.getStatus().getMessage() != null
                    ? e.getStatus().getMessage() : e.getMessage()), e);
        } catch (NodeGone e) {
            throw new NodeUnreachableException(e.getMessage(), e);
        }
    }

    static void run(Runnable call) throws NodeUnreachableException {
        call(() -> {
            call.run();
            return null;
        });
    }
}
