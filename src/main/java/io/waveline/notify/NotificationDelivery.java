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
import java.util.concurrent.atomic.AtomicLong;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Sends the notifications waiting in the {@link NotificationOutbox} to the configured sinks, each sink on its own
 * thread, so a slow or dead chat service delays nobody but itself and never the engine. A failed send (an error, a
 * timeout, an HTTP status ≥ 300) is tried again with doubling delays up to {@code waveline.notify.attempts}; then it
 * is given up, logged and counted. Nothing is kept only in memory: a restart, or another replica, sends what is left.
 */
@ApplicationScoped
public class NotificationDelivery {

    private static final Logger LOG = Logger.getLogger(NotificationDelivery.class);
    private static final int BATCH = 50;

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

    @Inject
    NotificationOutbox outbox;

    /** Counters per sink, of this replica since it started: sent, retried, failed (given up); and pending in the outbox (all replicas). */
    public record Counters(String sink, long sent, long retried, long failed, long pending) {
    }

    private record Lane(NotificationSink sink, ScheduledExecutorService thread, AtomicLong sent, AtomicLong retried,
            AtomicLong failed, java.util.concurrent.atomic.AtomicBoolean draining) {
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
            lanes.add(new Lane(sink, thread, new AtomicLong(), new AtomicLong(), new AtomicLong(),
                    new java.util.concurrent.atomic.AtomicBoolean()));
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

    /** The sinks' names, as the outbox keys them. */
    public List<String> sinkNames() {
        return lanes.stream().map(l -> l.sink().name()).toList();
    }

    /** Drops what waits for sinks no longer configured (logged), once at start. */
    void onStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent event) {
        int forgotten = outbox.forgetOtherSinks(sinkNames());
        if (forgotten > 0) {
            LOG.warnf("Dropped %d waiting notification(s) for sinks no longer configured", forgotten);
        }
    }

    /** Has every sink's thread send what is due for it, unless it is at it already. */
    @io.quarkus.scheduler.Scheduled(every = "${waveline.notify.poll-interval:1s}", identity = "notification-delivery",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    public void deliver() {
        for (Lane lane : lanes) {
            if (lane.draining().compareAndSet(false, true)) {
                try {
                    lane.thread().execute(() -> drain(lane));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    lane.draining().set(false);
                }
            }
        }
    }

    private void drain(Lane lane) {
        String name = lane.sink().name();
        try {
            // Claimed for as long as a whole batch could take to time out, so no other replica sends it meanwhile.
            Duration claim = timeout.multipliedBy(2L * BATCH).plusSeconds(10);
            List<NotificationOutbox.Due> due = outbox.claim(name, BATCH, claim);
            while (!due.isEmpty() && !Thread.currentThread().isInterrupted()) {
                for (NotificationOutbox.Due next : due) {
                    attempt(lane, next);
                }
                due = outbox.claim(name, BATCH, claim);
            }
        } catch (RuntimeException e) {
            LOG.warnf("Sending notifications to %s failed: %s; trying again at the next poll", name, e.getMessage());
        } finally {
            lane.draining().set(false);
        }
    }

    private void attempt(Lane lane, NotificationOutbox.Due due) {
        Notification notification = due.notification();
        int attempt = due.attempts() + 1;
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
                outbox.done(lane.sink().name(), notification.eventId());
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
            outbox.done(lane.sink().name(), notification.eventId());
            lane.failed().incrementAndGet();
            LOG.warnf("Gave up notifying %s after %d attempts (%s): %s", lane.sink().name(), attempt, problem, notification.line());
            return;
        }
        lane.retried().incrementAndGet();
        long delay = retryBase.toMillis() << Math.min(attempt - 1, 6);
        LOG.debugf("Notifying %s failed (%s); attempt %d in %d ms", lane.sink().name(), problem, attempt + 1, delay);
        outbox.retryLater(lane.sink().name(), notification.eventId(), attempt, Duration.ofMillis(delay));
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
                outbox.pending(l.sink().name()))).toList();
    }

    public Map<String, Counters> countersByName() {
        Map<String, Counters> byName = new LinkedHashMap<>();
        counters().forEach(c -> byName.put(c.sink(), c));
        return byName;
    }
}
