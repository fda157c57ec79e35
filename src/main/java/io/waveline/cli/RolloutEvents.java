package io.waveline.cli;


import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code waveline rollout events ID}: the rollout's events, oldest first. */
@Command(mixinStandardHelpOptions = true, description = "List a rollout's events (every state change and host action), oldest first.")
final class RolloutEvents extends ServerCommand {

    @Parameters(paramLabel = "ID", description = "the rollout")
    long id;

    @Option(names = "--node", paramLabel = "NAME", description = "only this node's events")
    String node;

    @Option(names = "--after", paramLabel = "EVENT", defaultValue = "0", description = "only events after this event id")
    long after;

    @Override
    public Integer call() {
        var out = out();
        java.util.List<JsonNode> all = new java.util.ArrayList<>();
        long cursor = after;
        while (true) {
            JsonNode page = server.get("/api/v1/rollouts/" + id + "/events?limit=1000&after=" + cursor);
            for (JsonNode event : page) {
                cursor = event.path("id").asLong();
                if (node == null || node.equals(event.path("node").asText())) {
                    all.add(event);
                }
            }
            if (page.size() < 1000) {
                break;
            }
        }
        if (output.human()) {
            all.forEach(e -> RolloutText.event(out, e));
        } else {
            output.print(out, all);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
