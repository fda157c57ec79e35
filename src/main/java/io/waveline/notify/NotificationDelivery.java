package io.waveline.notify;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Sends notifications to the configured sinks, each on its own thread and queue, so a slow or dead chat service
 * delays nobody but itself and never the engine. A failed send (an error, a timeout, an HTTP status ≥ 300) is
 * retried with doubling delays up to {@code waveline.notify.attempts}; then it is given up, logged and counted.
 * A full queue drops the newest notification and counts it.
 */
@ApplicationScoped
public class NotificationDelivery {

    private static final Logger LOG = Logger.getLogger(NotificationDelivery.class);
    private static final int QUEUE = 1000;

    @ConfigProperty(name = "waveline.notify.slack.webhook-url")
    Optional<List<String>> slackWebhooks;

    @ConfigProperty(name = "waveline.notify.slack.bot-token")
    Optional<String> slackBotToken;

    @ConfigProperty(name = "waveline.notify.slack.channel")
    Optional<String> slackChannel;

    @ConfigProperty(name = "waveline.notify.slack.api-url", defaultValue = "https://slack.com/api/chat.postMessage")
    String slackApiUrl;

    @ConfigProperty(name = "waveline.notify.mattermost.webhook-url")
    Optional<List<String>> mattermostWebhooks;

    @ConfigProperty(name = "waveline.notify.webhook.url")
    Optional<List<String>> webhooks;

    @ConfigProperty(name = "waveline.notify.attempts", defaultValue = "5")
    int attempts;

    @ConfigProperty(name = "waveline.notify.retry-base", defaultValue = "2s")
    Duration retryBase;

    @ConfigProperty(name = "waveline.notify.timeout", defaultValue = "5s")
    Duration timeout;

    @Inject
    ObjectMapper json;

    /** Counters per sink: sent, retried, failed (given up), dropped (queue full). */
    public record Counters(String sink, long sent, long retried, long failed, long dropped) {
    }

    private record Lane(NotificationSink sink, ScheduledExecutorService thread, AtomicLong sent, AtomicLong retried,
            AtomicLong failed, AtomicLong dropped) {
    }

    private final List<Lane> lanes = new ArrayList<>();
    private HttpClient client;

    @PostConstruct
    void start() {
        client = HttpClient.newBuilder().connectTimeout(timeout).build();
        List<NotificationSink> sinks = new ArrayList<>();
        slackWebhooks.orElse(List.of()).stream().filter(u -> !u.isBlank()).forEach(u -> sinks.add(sink(NotificationSink.Format.SLACK,
                u, Optional.empty(), Optional.empty())));
        slackBotToken.filter(t -> !t.isBlank()).ifPresent(token -> {
            if (slackChannel.filter(c -> !c.isBlank()).isEmpty()) {
                throw new IllegalArgumentException("waveline.notify.slack.bot-token is set but waveline.notify.slack.channel"
                        + " is not; name the channel to post to, e.g. C0123456789 or #gpu-ops");
            }
            sinks.add(sink(NotificationSink.Format.SLACK, slackApiUrl, Optional.of(token), slackChannel));
        });
        mattermostWebhooks.orElse(List.of()).stream().filter(u -> !u.isBlank()).forEach(u -> sinks.add(sink(
                NotificationSink.Format.MATTERMOST, u, Optional.empty(), Optional.empty())));
        webhooks.orElse(List.of()).stream().filter(u -> !u.isBlank()).forEach(u -> sinks.add(sink(NotificationSink.Format.WEBHOOK,
                u, Optional.empty(), Optional.empty())));
        for (NotificationSink sink : sinks) {
            ScheduledThreadPoolExecutor thread = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "notify " + sink.name()));
            thread.setRemoveOnCancelPolicy(true);
            lanes.add(new Lane(sink, thread, new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()));
        }
        if (!sinks.isEmpty()) {
            LOG.infof("Notifications go to %s", sinks.stream().map(NotificationSink::name).toList());
        }
    }

    private static NotificationSink sink(NotificationSink.Format format, String url, Optional<String> token, Optional<String> channel) {
        String trimmed = url.trim();
        URI uri;
        try {
            uri = URI.create(trimmed);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("notification URL \"" + NotificationSink.describe(format, trimmed) + "\" is not a URL");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("notification URL for " + format.name().toLowerCase() + " must be http(s)");
        }
        return new NotificationSink(NotificationSink.describe(format, trimmed), format, trimmed, token, channel);
    }

    @PreDestroy
    void stop() {
        lanes.forEach(l -> l.thread().shutdownNow());
    }

    public boolean configured() {
        return !lanes.isEmpty();
    }

    /** Queues a notification for every sink; returns at once. */
    public void send(Notification notification) {
        for (Lane lane : lanes) {
            if (((ScheduledThreadPoolExecutor) lane.thread()).getQueue().size() >= QUEUE) {
                lane.dropped().incrementAndGet();
                LOG.warnf("Notification queue of %s is full; dropped: %s", lane.sink().name(), notification.line());
                continue;
            }
            lane.thread().execute(() -> attempt(lane, notification, 1));
        }
    }

    private void attempt(Lane lane, Notification notification, int attempt) {
        String problem;
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(lane.sink().url())).timeout(timeout)
                    .header("Content-Type", "application/json")
                    // The event the notification tells of: the same id on every attempt, for the receiver to drop repeats.
                    .header("X-Waveline-Event-Id", Long.toString(notification.eventId()))
                    .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(lane.sink().payload(notification))));
            lane.sink().bearerToken().ifPresent(t -> request.header("Authorization", "Bearer " + t));
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() < 300 && !slackApiError(lane.sink(), response.body())) {
                lane.sent().incrementAndGet();
                return;
            }
            problem = "HTTP " + response.statusCode() + " " + abbreviate(response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (Exception e) {
            problem = e.toString();
        }
        if (attempt >= attempts) {
            lane.failed().incrementAndGet();
            LOG.warnf("Gave up notifying %s after %d attempts (%s): %s", lane.sink().name(), attempt, problem, notification.line());
            return;
        }
        lane.retried().incrementAndGet();
        long delay = retryBase.toMillis() << Math.min(attempt - 1, 6);
        LOG.debugf("Notifying %s failed (%s); attempt %d in %d ms", lane.sink().name(), problem, attempt + 1, delay);
        lane.thread().schedule(() -> attempt(lane, notification, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    /** chat.postMessage answers 200 with {@code "ok": false} on errors. */
    private static boolean slackApiError(NotificationSink sink, String body) {
        return sink.bearerToken().isPresent() && body != null && body.contains("\"ok\":false");
    }

    private static String abbreviate(String body) {
        return body == null ? "" : body.length() > 200 ? body.substring(0, 200) + "…" : body;
    }

    public List<Counters> counters() {
        return lanes.stream().map(l -> new Counters(l.sink().name(), l.sent().get(), l.retried().get(), l.failed().get(),
                l.dropped().get())).toList();
    }

    public Map<String, Counters> countersByName() {
        Map<String, Counters> byName = new LinkedHashMap<>();
        counters().forEach(c -> byName.put(c.sink(), c));
        return byName;
    }
}
