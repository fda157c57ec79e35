package io.waveline.api;

import java.util.Set;

import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Authentication for the API: {@code Authorization: Bearer <token>}, checked by {@link AccessTokenIdentityProvider}.
 * No header: no identity (anonymous), so an endpoint that needs a role answers 401. With
 * {@code waveline.auth.enabled=false} (tests only) every request is an admin named by its {@code X-Waveline-Actor}
 * header. Authorization itself is {@code @RolesAllowed} on every resource method (unannotated ones are denied).
 */
@ApplicationScoped
public class BearerTokenMechanism implements HttpAuthenticationMechanism {

    static final String REALM = "Bearer realm=\"waveline\"";

    @Inject
    AccessTokens tokens;

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        if (!tokens.enabled()) {
            String actor = context.request().getHeader("X-Waveline-Actor");
            String name = actor == null || actor.isBlank() ? "anonymous" : actor.strip().substring(0, Math.min(128, actor.strip().length()));
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder().setPrincipal(new QuarkusPrincipal(name))
                    .addRoles(Roles.held(Role.ADMIN)).build());
        }
        String header = context.request().getHeader("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(new TokenAuthenticationRequest(new TokenCredential(header.substring(7).strip(), "bearer")));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", REALM));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(TokenAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }
}
