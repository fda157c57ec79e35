package io.waveline.cli;

import java.io.PrintWriter;
import java.util.Iterator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/** A rollout's summary ({@code GET /api/v1/rollouts/{id}}) for people: state, waves with progress bars, limits, failures. */
final class RolloutText {

    static final java.util.Set<String> FINAL = java.util.Set.of("SUCCEEDED", "FAILED", "ROLLED_BACK", "ABORTED");
    private static final java.util.Set<String> DONE = java.util.Set.of("SUCCEEDED", "SKIPPED", "ROLLED_BACK");
    private static final int BAR = 30;

    private RolloutText() {
    }

    static void print(PrintWriter out, JsonNode r) {
        out.printf("rollout %d  plan %s  %s%s%n", r.path("id").asLong(), r.path("plan").asText(), r.path("state").asText(),
                r.path("haltReason").isTextual() ? "  (" + r.path("haltReason").asText() + ")" : "");
        out.printf("started %s by %s%s%n", r.path("createdAt").asText(), r.path("startedBy").asText("?"),
                r.path("finishedAt").isTextual() ? ", finished " + r.path("finishedAt").asText() : "");
        JsonNode limits = r.path("limits");
        if (limits.isObject()) {
            long out_ = r.path("nodesByState").properties().stream().filter(e -> outOfService(e.getKey())).mapToLong(e -> e.getValue().asLong())
                    .sum();
            out.printf("out of service %d of %d allowed (maxUnavailable %s of %d nodes); failures allowed per wave %s, then %s%n", out_,
                    limits.path("maxUnavailableNodes").asInt(), limits.path("maxUnavailable").asText(), limits.path("poolNodes").asInt(),
                    limits.path("maxFailuresPerWave").asText(), limits.path("onFailure").asText());
        }
        for (JsonNode wave : r.path("waves")) {
            long total = 0;
            long done = 0;
            for (Map.Entry<String, JsonNode> e : wave.path("nodesByState").properties()) {
                total += e.getValue().asLong();
                done += DONE.contains(e.getKey()) || e.getKey().equals("FAILED") || e.getKey().equals("QUARANTINED") ? e.getValue().asLong() : 0;
            }
            int filled = total == 0 ? 0 : (int) (BAR * done / total);
            boolean current = wave.path("index").asInt() == r.path("currentWave").asInt() && !FINAL.contains(r.path("state").asText());
            out.printf("%s %-14s [%s%s] %3d/%-3d %-18s %s%n", current ? ">" : " ", wave.path("name").asText(), "#".repeat(filled),
                    ".".repeat(BAR - filled), done, total, phase(r, wave, current), counts(wave.path("nodesByState")));
        }
        JsonNode failures = r.path("failures");
        if (failures.isArray() && !failures.isEmpty()) {
            out.println("failed nodes:");
            for (JsonNode f : failures) {
                out.printf("  %s (%s, %s): %s%n", f.path("name").asText(), f.path("state").asText(), f.path("failureClass").asText("?"),
                        f.path("lastError").asText(""));
            }
        }
        out.flush();
    }

    /** As the engine counts against maxUnavailable: working, failed or quarantined (still cordoned). */
    private static boolean outOfService(String state) {
        return !java.util.Set.of("PENDING", "SUCCEEDED", "SKIPPED", "ROLLED_BACK").contains(state);
    }

    private static String phase(JsonNode r, JsonNode wave, boolean current) {
        if (wave.path("finishedAt").isTextual()) {
            return "done";
        }
        if (!current) {
            return wave.path("startedAt").isTextual() ? "" : "waiting";
        }
        return switch (r.path("wavePhase").asText()) {
            case "AWAITING_APPROVAL" -> "awaiting approval";
            case "SOAKING" -> "soaking";
            default -> r.path("state").asText().equals("PAUSED") ? "paused" : "running";
        };
    }

    static String counts(JsonNode byState) {
        StringBuilder text = new StringBuilder();
        for (Iterator<Map.Entry<String, JsonNode>> it = byState.properties().iterator(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            text.append(e.getKey().toLowerCase()).append(' ').append(e.getValue().asLong()).append(it.hasNext() ? ", " : "");
        }
        return text.toString();
    }

    static void event(PrintWriter out, JsonNode e) {
        String node = e.path("node").isTextual() ? e.path("node").asText() : "-";
        out.printf("%s  %-22s %-14s %s%n", e.path("at").asText(), e.path("kind").asText(), node, e.path("message").asText());
    }
}
