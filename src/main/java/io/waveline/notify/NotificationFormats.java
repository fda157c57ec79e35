package io.waveline.notify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The JSON each kind of sink receives for a notification. Pure. */
public final class NotificationFormats {

    private NotificationFormats() {
    }

    /** Slack (incoming webhook or chat.postMessage): text plus blocks; an approval request gets Approve/Abort buttons. */
    public static Map<String, Object> slack(Notification n, String channel) {
        Map<String, Object> message = new LinkedHashMap<>();
        if (channel != null && !channel.isBlank()) {
            message.put("channel", channel);
        }
        message.put("text", n.line());
        List<Object> blocks = new ArrayList<>();
        blocks.add(Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text",
                "*Rollout " + n.rolloutId() + "* (`" + n.plan() + "`): " + n.title() + "\n" + n.detail())));
        if (n.approvalRequest()) {
            String id = Long.toString(n.rolloutId());
            // The Approve button names the one approval it answers: the rollout and the event that asked for it.
            String approval = id + ":" + n.eventId();
            blocks.add(Map.of("type", "actions", "block_id", "waveline-approval-" + id, "elements", List.of(
                    Map.of("type", "button", "action_id", "approve", "style", "primary", "value", approval,
                            "text", Map.of("type", "plain_text", "text", "Approve")),
                    Map.of("type", "button", "action_id", "abort", "style", "danger", "value", id,
                            "text", Map.of("type", "plain_text", "text", "Abort")))));
        }
        message.put("blocks", blocks);
        return message;
    }

    /** Mattermost incoming webhook: markdown text (approvals by {@code /waveline approve <id>}). */
    public static Map<String, Object> mattermost(Notification n) {
        return Map.of("text", "**Rollout " + n.rolloutId() + "** (`" + n.plan() + "`): " + n.title() + "\n" + n.detail()
                + (n.approvalRequest() ? "\nApprove with `/waveline approve " + n.rolloutId() + "`" : ""));
    }

    /** A generic JSON webhook: every field. */
    public static Map<String, Object> webhook(Notification n) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("eventId", n.eventId());
        body.put("kind", n.kind());
        body.put("rolloutId", n.rolloutId());
        body.put("plan", n.plan());
        body.put("node", n.node().orElse(null));
        body.put("title", n.title());
        body.put("detail", n.detail());
        body.put("approvalRequest", n.approvalRequest());
        body.put("at", n.at().toString());
        body.put("text", n.line());
        return body;
    }
}
