package io.waveline.api;

/** What a caller may do; each role includes the ones before it. */
public enum Role {
    /** Read nodes, plans, rollouts and events; validate plans. */
    VIEWER,
    /** Also start, pause, resume, abort and roll back rollouts; refresh the inventory. */
    OPERATOR,
    /** Also approve waves. */
    APPROVER,
    /** Everything. */
    ADMIN;

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }
}
