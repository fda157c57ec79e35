package io.waveline.ui;

import io.quarkus.security.identity.SecurityIdentity;
import io.waveline.api.Roles;

/** Who is looking at a page, and what they may do there (the same roles as on the API). */
public record Viewer(String name, String role, boolean operator, boolean approver) {

    static Viewer of(SecurityIdentity identity) {
        String role = identity.hasRole(Roles.ADMIN) ? "admin" : identity.hasRole(Roles.APPROVER) ? "approver"
                : identity.hasRole(Roles.OPERATOR) ? "operator" : "viewer";
        return new Viewer(identity.getPrincipal().getName(), role, identity.hasRole(Roles.OPERATOR), identity.hasRole(Roles.APPROVER));
    }
}
