package io.waveline.redfish;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.fleet.FleetInventory;
import io.waveline.rollout.port.BmcLocator;
import io.waveline.rollout.port.NodeUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The fleet's BMCs: the node's {@code bmc} label (an https URL, or host[:port]) and the CA in
 * {@code waveline.redfish.ca-file}; the account comes from the Redfish settings.
 */
@ApplicationScoped
public class InventoryBmcLocator implements BmcLocator {

    @ConfigProperty(name = "waveline.redfish.ca-file")
    Optional<String> caFile;

    @Inject
    FleetInventory inventory;

    @Override
    public Bmc locate(String node) throws NodeUnreachableException {
        String bmc = inventory.record(node).map(r -> r.labels.get("bmc")).orElseThrow(() -> new NodeUnreachableException(
                node + " has no bmc label: the redfish method needs the BMC's address (label bmc=https://…)"));
        URI uri = URI.create(bmc.startsWith("https://") ? bmc : "https://" + bmc);
        try {
            return new Bmc(uri, caFile.isEmpty() ? Optional.empty() : Optional.of(Files.readString(Path.of(caFile.get()))),
                    Optional.empty());
        } catch (IOException e) {
            throw new NodeUnreachableException("cannot read waveline.redfish.ca-file " + caFile.get() + ": " + e.getMessage(), e);
        }
    }
}
