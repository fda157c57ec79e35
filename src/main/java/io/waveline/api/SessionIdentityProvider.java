package io.waveline.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** A dashboard session's identity: the name and role of the token it was opened with, as the API gives that token. */
@ApplicationScoped
public class SessionIdentityProvider implements IdentityProvider<SessionCookieMechanism.SessionAuthenticationRequest> {

    @Inject
    DashboardSessions sessions;

    @Override
    public Class<SessionCookieMechanism.SessionAuthenticationRequest> getRequestType() {
        return SessionCookieMechanism.SessionAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(SessionCookieMechanism.SessionAuthenticationRequest request,
            AuthenticationRequestContext context) {
        return context.runBlocking(() -> sessions.caller(request.session())
                .<SecurityIdentity>map(caller -> QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(caller.name()))
                        .addRoles(Roles.held(caller.role())).build())
                .orElseThrow(() -> new AuthenticationFailedException("the dashboard session ended; log in again")));
    }
}
