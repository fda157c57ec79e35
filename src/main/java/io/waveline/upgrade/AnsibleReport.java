package io.waveline.upgrade;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * What one host's part of a playbook run says, read from the JSON report of {@code ansible/callback_plugins/
 * waveline_json.py} ({@code plays[].tasks[].hosts[host]}, {@code stats[host]}): nothing wrong, or the first task
 * that failed with its message (stderr, else msg), or that the host was unreachable. Pure; a missing or broken
 * report is a failure that says so.
 */
public final class AnsibleReport {

    private static final ObjectMapper JSON = new ObjectMapper();

    private AnsibleReport() {
    }

    /** Empty when the host's run went through; otherwise what went wrong, in one line. */
    public static Optional<String> problem(String report, String host) {
        int start = report == null ? -1 : report.indexOf('{');
        if (start < 0) {
            return Optional.of("ansible-playbook printed no report");
        }
        JsonNode root;
        try {
            root = JSON.readTree(report.substring(start));
        } catch (Exception e) {
            return Optional.of("the ansible-playbook report cannot be read (truncated?)");
        }
        JsonNode stats = root.path("stats").path(host);
        if (stats.isMissingNode()) {
            return Optional.of("host " + host + " is not in the ansible-playbook report (not in the inventory, or --limit matched nothing)");
        }
        for (JsonNode play : root.path("plays")) {
            for (JsonNode task : play.path("tasks")) {
                JsonNode result = task.path("hosts").path(host);
                String name = task.path("task").path("name").asText("?");
                if (result.path("unreachable").asBoolean(false)) {
                    return Optional.of("unreachable in task " + name + ": " + oneLine(result.path("msg").asText("")));
                }
                if (result.path("failed").asBoolean(false) && !result.path("ignored").asBoolean(false)) {
                    String stderr = result.path("stderr").asText("");
                    return Optional.of("task " + name + " failed: " + oneLine(stderr.isBlank() ? result.path("msg").asText("") : stderr));
                }
            }
        }
        if (stats.path("failures").asInt(0) > 0 || stats.path("unreachable").asInt(0) > 0) {
            return Optional.of("ansible-playbook counted " + stats.path("failures").asInt(0) + " failure(s) and "
                    + stats.path("unreachable").asInt(0) + " unreachable for " + host);
        }
        return Optional.empty();
    }

    /** The host's stats in one line, e.g. {@code ansible-playbook: ok=14 changed=2 failed=0 unreachable=0}. */
    public static String summary(String report, String host) {
        try {
            JsonNode stats = JSON.readTree(report.substring(report.indexOf('{'))).path("stats").path(host);
            return "ansible-playbook: ok=" + stats.path("ok").asInt() + " changed=" + stats.path("changed").asInt() + " failed="
                    + stats.path("failures").asInt() + " unreachable=" + stats.path("unreachable").asInt();
        } catch (Exception e) {
            return "";
        }
    }

    /** The last non-empty line, which for apt and dnf is the one that says what went wrong. */
    static String oneLine(String text) {
        return text.strip().lines().filter(l -> !l.isBlank()).reduce((a, b) -> b).orElse("").strip();
    }
}
