package io.waveline.plan;

import java.util.Map;

/**
 * What the planner knows of one node: its labels, GPU facts, installed component versions and whether it is in
 * service now. The fleet package maps its inventory records to this.
 */
public record NodeFacts(String name, Map<String, String> labels, String gpuVendor, String gpuModel, int gpuCount,
        boolean nvswitch, Map<String, String> versions, boolean available) {

    /** The label the Kubernetes inventory puts on the nodes it found: they are cordoned and drained through the API. */
    public static final String KUBERNETES_MARKER = "waveline.io/kubernetes-node";

    /** Found in a Kubernetes cluster. */
    public boolean inKubernetes() {
        return labels != null && labels.containsKey(KUBERNETES_MARKER);
    }


    public String label(String key) {
        return labels.getOrDefault(key, "");
    }
}
