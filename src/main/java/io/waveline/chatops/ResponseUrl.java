package io.waveline.chatops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Posts later answers to the {@code response_url} Slack sends with a command or a button click. Only URLs under
 * {@code waveline.chatops.slack.response-url-prefix} (default {@code https://hooks.slack.com/}) are called, so a
 * request cannot make Waveline call anywhere else. Asynchronous, with a short timeout; a failure is logged.
 */
@ApplicationScoped
public class ResponseUrl {

    private static final Logger LOG = Logger.getLogger(ResponseUrl.class);

    @ConfigProperty(name = "waveline.chatops.slack.response-url-prefix", defaultValue = "https://hooks.slack.com/")
    String allowedPrefix;

    @Inject
    ObjectMapper json;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public boolean allowed(String url) {
        return url != null && url.startsWith(allowedPrefix) && !url.contains("@") && url.length() < 2000;
    }

    public void post(String url, Map<String, Object> message) {
        if (!allowed(url)) {
            LOG.warnf("Not posting to response_url %s: it is not under %s", url, allowedPrefix);
            return;
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(message))).build();
            client.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                if (error != null || response.statusCode() >= 300) {
                    LOG.warnf("Posting to response_url failed: %s", error != null ? error.toString() : "HTTP " + response.statusCode());
                }
            });
        } catch (JsonProcessingException | IllegalArgumentException e) {
            LOG.warnf("Cannot post to response_url: %s", e.toString());
        }
    }
}
