package io.waveline.api;

import java.util.Optional;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Refuses a request whose body is over its endpoint's {@link BodyLimit}, with 413 and a problem naming the limit,
 * before the body is read. A body sent without a length (chunked) is still held to
 * {@code quarkus.http.limits.max-body-size}.
 */
public class BodyLimits {

    @ServerRequestFilter
    public Optional<Response> refuseOversized(ContainerRequestContext request, SimpleResourceInfo resource) {
        String length = request.getHeaderString(HttpHeaders.CONTENT_LENGTH);
        if (length == null || resource == null || resource.getMethodName() == null) {
            return Optional.empty();
        }
        BodyLimit limit = limitOf(resource);
        long bytes;
        try {
            bytes = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (limit == null || bytes <= limit.value()) {
            return Optional.empty();
        }
        Problem problem = Problem.of(413, "Request body too large", "this endpoint takes at most " + limit.value()
                + " bytes; the request has " + bytes, "/" + request.getUriInfo().getPath().replaceFirst("^/", ""));
        return Optional.of(Response.status(413).type(MediaType.valueOf(Problem.MEDIA_TYPE)).entity(problem).build());
    }

    private final java.util.Map<String, Optional<BodyLimit>> limits = new java.util.concurrent.ConcurrentHashMap<>();

    private BodyLimit limitOf(SimpleResourceInfo resource) {
        String key = resource.getResourceClass().getName() + "#" + resource.getMethodName() + java.util.Arrays.toString(resource.parameterTypes());
        return limits.computeIfAbsent(key, k -> Optional.ofNullable(find(resource))).orElse(null);
    }

    private static BodyLimit find(SimpleResourceInfo resource) {
        for (java.lang.reflect.Method method : resource.getResourceClass().getMethods()) {
            if (method.getName().equals(resource.getMethodName()) && java.util.Arrays.equals(method.getParameterTypes(),
                    resource.parameterTypes())) {
                return method.getAnnotation(BodyLimit.class);
            }
        }
        return null;
    }
}
