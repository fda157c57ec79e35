package io.waveline.rollout;

/** The one-node, approval-gated plan of {@link ConcurrentStartTest}, for tests outside this package. */
public final class ConcurrentStartTestPlans {

    private ConcurrentStartTestPlans() {
    }

    public static String plan(String name, String node, String version) {
        return ConcurrentStartTest.plan(name, node).replace("570.124.90", version);
    }
}
