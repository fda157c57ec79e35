package io.waveline.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code waveline nodes [-l SELECTOR]}: the server's fleet, filtered with a label selector as plans write it. */
@Command(mixinStandardHelpOptions = true, description = "List the fleet's nodes: GPUs, versions, labels.")
final class NodesList extends ServerCommand {

    @Option(names = { "-l", "--selector" }, paramLabel = "SELECTOR", description = "a label selector, as in plans: \"pool=h100,rack in (r01,r02)\"")
    String selector;

    @Override
    public Integer call() {
        List<JsonNode> nodes = new ArrayList<>();
        String after = null;
        while (true) {
            StringBuilder path = new StringBuilder("/api/v1/nodes?limit=1000");
            if (selector != null) {
                path.append("&selector=").append(URLEncoder.encode(selector, StandardCharsets.UTF_8));
            }
            if (after != null) {
                path.append("&after=").append(URLEncoder.encode(after, StandardCharsets.UTF_8));
            }
            JsonNode page = server.get(path.toString());
            page.forEach(nodes::add);
            if (page.size() < 1000) {
                break;
            }
            after = page.get(page.size() - 1).path("name").asText();
        }
        var out = out();
        if (!output.human()) {
            output.print(out, nodes);
            return ExitCodes.OK;
        }
        out.printf("%-16s %-24s %-6s %-10s %-40s %s%n", "NAME", "GPU", "COUNT", "AVAILABLE", "VERSIONS", "LABELS");
        for (JsonNode n : nodes) {
            out.printf("%-16s %-24s %-6d %-10s %-40s %s%n", n.path("name").asText(), n.path("gpu").path("vendor").asText() + " "
                    + n.path("gpu").path("model").asText(), n.path("gpu").path("count").asInt(), n.path("available").asBoolean() ? "yes" : "no",
                    pairs(n.path("versions")), pairs(n.path("labels")));
        }
        out.printf("%d node(s)%n", nodes.size());
        out.flush();
        return ExitCodes.OK;
    }

    private static String pairs(JsonNode object) {
        List<String> pairs = new ArrayList<>();
        object.properties().forEach(e -> pairs.add(e.getKey() + "=" + e.getValue().asText()));
        return String.join(",", pairs);
    }
}
