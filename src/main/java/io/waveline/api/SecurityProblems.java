package io.waveline.api;

import java.util.Arrays;
import java.util.Comparator;

import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;

/**
 * Quarkus Security's refusals as problem+json: 401 with the challenge when no (or an unknown) bearer token came,
 * 403 naming the caller's role and the one the operation needs (read from the method's {@code @RolesAllowed}).
 */
public class SecurityProblems {

    @Inject
    CurrentCaller caller;

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, HttpServerRequest request, SimpleResourceInfo resource) {
        if (page(resource)) {
            return toLogin();
        }
        return challenge(Problem.of(401, "Unauthorized", "send Authorization: Bearer <token>", request.path()));
    }

    @ServerExceptionMapper
    public Response unknownToken(AuthenticationFailedException e, HttpServerRequest request, SimpleResourceInfo resource) {
        if (page(resource)) {
            return toLogin();
        }
        return challenge(Problem.of(401, "Unauthorized", "the bearer token is not known", request.path()));
    }

    private static boolean page(SimpleResourceInfo resource) {
        return resource != null && resource.getResourceClass() != null && resource.getResourceClass().isAnnotationPresent(DashboardPage.class);
    }

    private static Response toLogin() {
        return Response.seeOther(java.net.URI.create("/ui/login")).build();
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, HttpServerRequest request, SimpleResourceInfo resource) {
        String needed = needed(resource);
        return ProblemMappers.response(Problem.of(403, "Forbidden", caller.name() + " is " + caller.role()
                + (needed == null ? "; this operation is not open to callers" : "; this needs " + needed), request.path()));
    }

    private static Response challenge(Problem problem) {
        return Response.fromResponse(ProblemMappers.response(problem)).header("WWW-Authenticate", BearerTokenMechanism.REALM).build();
    }

    /** The lowest role the method allows. */
    private static String needed(SimpleResourceInfo resource) {
        try {
            RolesAllowed allowed = resource.getResourceClass().getMethod(resource.getMethodName(), resource.parameterTypes())
                    .getAnnotation(RolesAllowed.class);
            if (allowed == null) {
                allowed = resource.getResourceClass().getAnnotation(RolesAllowed.class);
            }
            return allowed == null ? null : Arrays.stream(allowed.value()).min(Comparator.comparingInt(r -> rank(r))).orElse(null);
        } catch (NoSuchMethodException | RuntimeException ex) {
            return null;
        }
    }

    private static int rank(String role) {
        try {
            return Role.valueOf(role.toUpperCase(java.util.Locale.ROOT)).ordinal();
        } catch (IllegalArgumentException e) {
            return Integer.MAX_VALUE;
        }
    }
}
