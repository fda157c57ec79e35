package io.waveline.api;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** Who is calling in this request, by the identity Quarkus Security established; the actor in the audit trail. */
@RequestScoped
public class CurrentCaller {

    @Inject
    SecurityIdentity identity;

    public String name() {
        return identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    /** The highest role the caller holds, in words. */
    public String role() {
        for (int i = Role.values().length - 1; i >= 0; i--) {
            if (identity.hasRole(Role.values()[i].name().toLowerCase(java.util.Locale.ROOT))) {
                return Role.values()[i].name().toLowerCase(java.util.Locale.ROOT);
            }
        }
        return "anonymous";
    }
}
