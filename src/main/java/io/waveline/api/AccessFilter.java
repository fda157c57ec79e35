package io.waveline.api;

import java.util.Optional;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;

/**
 * Guards {@code /api/}: a bearer token is required (401 without a known one) and its role must cover the call
 * (403): reads and plan validation need viewer, commands operator, approvals approver. Health, OpenAPI and
 * Swagger UI stay open. With {@code waveline.auth.enabled=false} (tests only) every call passes and the actor is
 * the {@code X-Waveline-Actor} header.
 */
public class AccessFilter {

    @Inject
    AccessTokens tokens;

    @Inject
    CurrentCaller caller;

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/")) {
            return Optional.empty();
        }
        if (!tokens.enabled()) {
            String actor = request.getHeaderString("X-Waveline-Actor");
            caller.set(actor == null || actor.isBlank() ? "anonymous" : actor.strip().substring(0, Math.min(128, actor.strip().length())));
            return Optional.empty();
        }
        String header = request.getHeaderString("Authorization");
        Optional<AccessTokens.Caller> who = header != null && header.startsWith("Bearer ")
                ? tokens.caller(header.substring(7).strip()) : Optional.empty();
        if (who.isEmpty()) {
            return Optional.of(Response.fromResponse(ProblemMappers.response(Problem.of(401, "Unauthorized",
                    header == null ? "send Authorization: Bearer <token>" : "the bearer token is not known", path)))
                    .header("WWW-Authenticate", "Bearer realm=\"waveline\"").build());
        }
        Role needed = needed(request.getMethod(), path);
        if (!who.get().role().includes(needed)) {
            return Optional.of(ProblemMappers.response(Problem.of(403, "Forbidden", who.get().name() + " is "
                    + who.get().role().name().toLowerCase() + "; this needs " + needed.name().toLowerCase(), path)));
        }
        caller.set(who.get().name());
        return Optional.empty();
    }

    static Role needed(String method, String path) {
        if (method.equals("GET") || path.equals("/api/v1/plans/validate")) {
            return Role.VIEWER;
        }
        if (path.matches("/api/v1/rollouts/\\d+/approve")) {
            return Role.APPROVER;
        }
        return Role.OPERATOR;
    }
}
