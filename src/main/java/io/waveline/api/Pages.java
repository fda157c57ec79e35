package io.waveline.api;

import java.util.List;

import org.jboss.resteasy.reactive.RestResponse;

import jakarta.ws.rs.core.UriInfo;

/**
 * Cursor pagination of list answers: the page is the JSON array itself, and when it is full a {@code Link} header
 * (RFC 8288, {@code rel="next"}) names the next page: the same request with the cursor after its last item. A page
 * shorter than {@code limit} is the last.
 */
final class Pages {

    private Pages() {
    }

    /** {@code limit} as asked, within {@code [1, max]}; {@code fallback} when not asked. */
    static int limit(Integer asked, int fallback, int max) {
        if (asked == null) {
            return fallback;
        }
        if (asked < 1 || asked > max) {
            throw ProblemException.badRequest("limit " + asked + " is outside 1.." + max);
        }
        return asked;
    }

    /** The page, with a next link whose {@code cursorParam} is {@code nextCursor} when the page is full. */
    static <T> RestResponse<List<T>> of(List<T> page, int limit, UriInfo uri, String cursorParam, String nextCursor) {
        RestResponse.ResponseBuilder<List<T>> answer = RestResponse.ResponseBuilder.ok(page);
        if (page.size() == limit && nextCursor != null) {
            answer.header("Link", "<" + uri.getRequestUriBuilder().replaceQueryParam(cursorParam, nextCursor)
                    .replaceQueryParam("limit", limit).build() + ">; rel=\"next\"");
        }
        return answer.build();
    }
}
