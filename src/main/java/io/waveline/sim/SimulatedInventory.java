package io.waveline.sim;

import java.util.List;

import io.quarkus.arc.Unremovable;
import io.waveline.fleet.FleetNode;
import io.waveline.fleet.InventorySource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The simulated fleet as an inventory source, reporting each host's versions as they are now. */
@ApplicationScoped
@Unremovable
public class SimulatedInventory implements InventorySource {

    @Inject
    SimFleet fleet;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.sim.enabled", defaultValue = "false")
    boolean simulated;

    @Override
    public boolean enabled() {
        return simulated;
    }

    @Override
    public String name() {
        return "simulated";
    }

    @Override
    public List<FleetNode> load() {
        return fleet.nodes().stream().map(node -> {
            SimHost host = fleet.host(node.name());
            return new FleetNode(node.name(), node.address(), node.sshPort(), node.sshUser(),
                    node.labels(), node.gpuVendor(), node.gpuModel(), node.gpuCount(), node.nvswitch(),
                    host.installedVersions(), node.available(), node.source());
        }).toList();
    }
}
