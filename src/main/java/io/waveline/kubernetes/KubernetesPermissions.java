package io.waveline.kubernetes;

import java.util.List;

/**
 * Every Kubernetes API call Waveline makes, as RBAC rules: {@code deploy/clusterrole.yaml} grants exactly these
 * (checked by a test, which also records the calls the code makes against the mock API server and maps each to one
 * of these). Keep the two in step when a call is added.
 */
public final class KubernetesPermissions {

    /** One RBAC rule: API group ("" for the core group), resource (with subresource), verbs. */
    public record Rule(String apiGroup, String resource, List<String> verbs) {
    }

    public static final List<Rule> USED = List.of(
            // inventory: list nodes; cordon, uncordon and state labels: get and patch one node
            new Rule("", "nodes", List.of("get", "list", "patch")),
            // drain and training-job waits: pods of the node (listed, filtered by node); force: delete;
            // check pods pinned to a node: create, get, watch (until done), delete
            new Rule("", "pods", List.of("create", "get", "list", "watch", "delete")),
            // a check pod's output
            new Rule("", "pods/log", List.of("get")),
            // drain: the Eviction API
            new Rule("", "pods/eviction", List.of("create")),
            // drain progress: which PodDisruptionBudget blocks an eviction
            new Rule("policy", "poddisruptionbudgets", List.of("list")));

    private KubernetesPermissions() {
    }
}
