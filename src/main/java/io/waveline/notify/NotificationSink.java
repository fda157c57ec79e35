package io.waveline.notify;

import java.util.Map;
import java.util.Optional;

/**
 * Where notifications go: a Slack incoming webhook, Slack's chat.postMessage with a bot token and channel, a
 * Mattermost incoming webhook, or a generic JSON webhook. {@code name} identifies it in logs and counters (the
 * URL without its secret path).
 */
public record NotificationSink(String name, Format format, String url, Optional<String> bearerToken, Optional<String> channel) {

    public enum Format {
        SLACK, MATTERMOST, WEBHOOK
    }

    public Map<String, Object> payload(Notification n) {
        return switch (format) {
            case SLACK -> NotificationFormats.slack(n, channel.orElse(null));
            case MATTERMOST -> NotificationFormats.mattermost(n);
            case WEBHOOK -> NotificationFormats.webhook(n);
        };
    }

    /** The URL's scheme, host and port only: webhook paths are secrets. */
    static String describe(Format format, String url) {
        try {
            java.net.URI uri = java.net.URI.create(url);
            return format.name().toLowerCase() + " " + uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort())
                    + "/…" + (url.length() > 4 ? url.substring(url.length() - 4) : "");
        } catch (IllegalArgumentException e) {
            return format.name().toLowerCase() + " (unparseable URL)";
        }
    }
}
