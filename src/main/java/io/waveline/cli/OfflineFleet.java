package io.waveline.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import io.waveline.fleet.AnsibleInventory;
import io.waveline.fleet.FleetNode;
import io.waveline.fleet.InventoryException;
import io.waveline.fleet.StaticInventoryFile;
import io.waveline.plan.NodeFacts;
import io.waveline.plan.PlanError;
import picocli.CommandLine.Option;

/**
 * {@code --inventory FILE}: the fleet to check plans against without a server, read with the service's own
 * parsers: a static inventory (YAML with {@code nodes:}) or an Ansible inventory (INI or YAML).
 */
final class OfflineFleet {

    @Option(names = "--inventory", paramLabel = "FILE", description = "a static inventory (YAML with nodes:) or an Ansible inventory (INI or YAML)")
    Optional<Path> inventory = Optional.empty();

    @Option(names = "--inventory-format", paramLabel = "static|ansible", description = "how to read --inventory (default: static when "
            + "the YAML has a top-level nodes: list, otherwise Ansible)")
    Optional<String> format = Optional.empty();

    boolean given() {
        return inventory.isPresent();
    }

    /** The nodes' facts, or a failure naming every problem of the inventory (file, line, field). */
    List<NodeFacts> facts() {
        Path path = inventory.orElseThrow();
        PlanFiles.Read read = PlanFiles.read(path);
        if (read.error().isPresent()) {
            throw new CliFailure(ExitCodes.INVALID_PLAN, "inventory " + PlanFiles.compilerStyle(read.error().get(), ""));
        }
        String text = read.text().get();
        String kind = format.orElse(isStatic(text) ? "static" : "ansible");
        try {
            List<FleetNode> nodes = switch (kind) {
                case "static" -> StaticInventoryFile.parse(path.toString(), text, "static");
                case "ansible" -> AnsibleInventory.parse(path.toString(), text, "ansible");
                default -> throw new CliFailure(ExitCodes.USAGE, "--inventory-format " + kind + ": give static or ansible");
            };
            return nodes.stream().map(FleetNode::facts).toList();
        } catch (InventoryException e) {
            throw new CliFailure(ExitCodes.INVALID_PLAN, "the inventory cannot be read:\n" + String.join("\n",
                    e.problems().stream().map((PlanError p) -> PlanFiles.compilerStyle(p, "")).toList()));
        }
    }

    private static boolean isStatic(String text) {
        return text.lines().anyMatch(line -> line.startsWith("nodes:"));
    }
}
