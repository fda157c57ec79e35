package io.waveline.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Option;

/**
 * {@code --server} and {@code --token} (or {@code WAVELINE_URL}, {@code WAVELINE_TOKEN}): the Waveline service to
 * talk to, and its REST calls, each failure turned into one line and an exit code ({@link ExitCodes}).
 */
final class Server {

    @Option(names = "--server", paramLabel = "URL", defaultValue = "${env:WAVELINE_URL:-http://localhost:8080}",
            description = "the Waveline service (default: $WAVELINE_URL, else http://localhost:8080)")
    String url;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:WAVELINE_TOKEN}",
            description = "an API token (default: $WAVELINE_TOKEN)")
    String token;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    JsonNode get(String path) {
        return send(request(path).GET().build());
    }

    JsonNode post(String path, Optional<Object> body) {
        String json;
        try {
            json = body.isEmpty() ? "" : OutputFormat.JSON.writeValueAsString(body.get());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return send(request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private HttpRequest.Builder request(String path) {
        URI uri;
        try {
            uri = URI.create(url.replaceAll("/+$", "") + path);
        } catch (IllegalArgumentException e) {
            throw new CliFailure(ExitCodes.USAGE, "--server " + url + " is not a URL: " + e.getMessage());
        }
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).header("Accept", "application/json");
        if (token != null && !token.isBlank()) {
            builder.header("Authorization", "Bearer " + token.strip());
        }
        return builder;
    }

    private JsonNode send(HttpRequest request) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new CliFailure(ExitCodes.SERVER, "cannot reach Waveline at " + url + " (" + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage()) + "); set --server or WAVELINE_URL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliFailure(ExitCodes.SERVER, "interrupted");
        }
        int status = response.statusCode();
        if (status < 300) {
            try {
                return response.body().isEmpty() ? OutputFormat.JSON.nullNode() : OutputFormat.JSON.readTree(response.body());
            } catch (IOException e) {
                throw new CliFailure(ExitCodes.SERVER, request.method() + " " + request.uri().getPath() + " answered something that is not JSON");
            }
        }
        String detail = problem(response.body());
        String what = request.method() + " " + request.uri().getPath() + " answered " + status + (detail.isEmpty() ? "" : ": " + detail);
        if (status == 401) {
            throw new CliFailure(ExitCodes.REFUSED, what + (token == null || token.isBlank() ? " (no token given: set --token or WAVELINE_TOKEN)" : ""));
        }
        if (status == 403) {
            throw new CliFailure(ExitCodes.REFUSED, what);
        }
        throw new CliFailure(status >= 500 ? ExitCodes.SERVER : ExitCodes.REJECTED, what);
    }

    /** The problem document's detail (and its errors' messages), or nothing when the body is not one. */
    private static String problem(String body) {
        try {
            JsonNode problem = OutputFormat.JSON.readTree(body);
            StringBuilder text = new StringBuilder(problem.path("detail").asText(problem.path("title").asText("")));
            for (JsonNode error : problem.path("errors")) {
                text.append("\n  ").append(error.path("file").asText("")).append(error.path("line").asInt() > 0 ? ":" + error.path("line").asInt()
                        + ":" + error.path("column").asInt() : "").append(": ").append(error.path("field").asText(error.path("path").asText("")))
                        .append(": ").append(error.path("message").asText(""));
            }
            return text.toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
