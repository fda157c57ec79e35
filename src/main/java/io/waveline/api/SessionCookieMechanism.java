package io.waveline.api;

import java.util.Set;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Authentication for the dashboard: the session cookie ({@link DashboardSessions#COOKIE}, HttpOnly, SameSite=Strict)
 * gives the same identity and roles as the token it was opened with ({@link SessionIdentityProvider}). A request that
 * changes something (not GET or HEAD) is authenticated by the cookie only with htmx's {@code HX-Request} header, which
 * a page of another site cannot send without CORS (no cross-site request forgery). A request with an
 * {@code Authorization} header is left to {@link BearerTokenMechanism}, whose challenge (401) stays the API's.
 */
@ApplicationScoped
public class SessionCookieMechanism implements HttpAuthenticationMechanism {

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        Cookie cookie = context.request().getCookie(DashboardSessions.COOKIE);
        if (cookie == null || context.request().getHeader("Authorization") != null) {
            return Uni.createFrom().nullItem();
        }
        String method = context.request().method().name();
        if (!method.equals("GET") && !method.equals("HEAD") && !"true".equals(context.request().getHeader("HX-Request"))) {
            return Uni.createFrom().nullItem();
        }
        return identities.authenticate(new SessionAuthenticationRequest(cookie.getValue()));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", BearerTokenMechanism.REALM));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(SessionAuthenticationRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.COOKIE, DashboardSessions.COOKIE));
    }

    /** The session cookie's value, to be resolved by {@link SessionIdentityProvider}. */
    public static final class SessionAuthenticationRequest extends io.quarkus.security.identity.request.BaseAuthenticationRequest {
        private final String session;

        SessionAuthenticationRequest(String session) {
            this.session = session;
        }

        String session() {
            return session;
        }
    }
}
