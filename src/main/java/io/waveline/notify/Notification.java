package io.waveline.notify;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * Something a team should hear about unprompted, made from one rollout event: a rollout started or finished, a wave
 * started, finished or waiting for approval ({@code approvalRequest}: the Slack message carries Approve and Abort
 * buttons), a node failed or was quarantined (with the check and its one-line reason), a rollback started or
 * finished.
 */
public record Notification(long eventId, String kind, long rolloutId, String plan, Optional<String> node, String title,
        String detail, boolean approvalRequest, Instant at) {

    /** The events that become notifications, with the title each gets. */
    private static final Map<String, String> TITLES = Map.ofEntries(
            Map.entry("rollout.started", "rollout started"),
            Map.entry("wave.running", "wave started"),
            Map.entry("wave.soaking", "wave finished, soaking"),
            Map.entry("wave.awaiting-approval", "wave waits for approval"),
            Map.entry("node.failed", "node failed"),
            Map.entry("node.quarantined", "node quarantined"),
            Map.entry("rollout.halted", "rollout halted"),
            Map.entry("node.rollback-started", "node rollback started"),
            Map.entry("rollout.rolling-back", "rollback started"),
            Map.entry("rollout.rollback-requested", "rollback started"),
            Map.entry("rollout.rolled-back", "rollback finished"),
            Map.entry("rollout.succeeded", "rollout finished: succeeded"),
            Map.entry("rollout.failed", "rollout finished: failed"),
            Map.entry("rollout.aborted", "rollout finished: aborted"));

    public static Optional<Notification> of(long eventId, String kind, long rolloutId, String plan, String node, String message,
            String actor, Instant at) {
        String title = TITLES.get(kind);
        if (title == null) {
            return Optional.empty();
        }
        String by = kind.equals("rollout.started") || kind.equals("rollout.rollback-requested") ? " (by " + actor + ")" : "";
        return Optional.of(new Notification(eventId, kind, rolloutId, plan, Optional.ofNullable(node), title,
                (node == null ? "" : node + ": ") + message + by, kind.equals("wave.awaiting-approval"), at));
    }

    /** One line: "Rollout 12 (h100-driver-570): node failed — gpu-h100-03: nccl-allreduce: bus bandwidth …". */
    public String line() {
        return "Rollout " + rolloutId + " (" + plan + "): " + title + " — " + detail;
    }
}
