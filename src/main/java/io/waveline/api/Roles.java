package io.waveline.api;

/**
 * The role names {@code @RolesAllowed} checks. A caller's identity carries its own role and every role below it
 * ({@link Role#includes}), so an approver passes an operator's check.
 */
public final class Roles {

    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";
    public static final String APPROVER = "approver";
    public static final String ADMIN = "admin";

    private Roles() {
    }

    /** The role names an identity of each role holds, worked out once (every authenticated request asks). */
    private static final java.util.Map<Role, java.util.Set<String>> HELD = heldByRole();

    /** The role names an identity of {@code role} holds. */
    static java.util.Set<String> held(Role role) {
        return HELD.get(role);
    }

    private static java.util.Map<Role, java.util.Set<String>> heldByRole() {
        java.util.Map<Role, java.util.Set<String>> held = new java.util.EnumMap<>(Role.class);
        for (Role role : Role.values()) {
            java.util.Set<String> names = new java.util.LinkedHashSet<>();
            for (Role r : Role.values()) {
                if (role.includes(r)) {
                    names.add(r.name().toLowerCase(java.util.Locale.ROOT));
                }
            }
            held.put(role, java.util.Collections.unmodifiableSet(names));
        }
        return held;
    }
}
