package io.waveline.api;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A bearer token's identity: the name and role of {@code waveline.auth.tokens} whose hash it matches (compared in
 * constant time by {@link AccessTokens}); the identity holds its role and every role below it. An unknown token
 * fails authentication (401).
 */
@ApplicationScoped
public class AccessTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    @Inject
    AccessTokens tokens;

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        return tokens.caller(request.getToken().getToken())
                .map(caller -> Uni.createFrom().<SecurityIdentity>item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal(caller.name())).addRoles(Roles.held(caller.role()))
                        .addCredential(request.getToken()).build()))
                .orElseGet(() -> Uni.createFrom().failure(new AuthenticationFailedException("the bearer token is not known")));
    }
}
