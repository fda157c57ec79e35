package io.waveline.fleet;

import java.util.List;

/**
 * Where nodes come from: a static YAML file, an Ansible inventory, the simulated fleet, later Kubernetes.
 * {@link #load()} reads the whole source or fails with every problem found; it never answers half a fleet.
 */
public interface InventorySource {

    String name();

    /** Whether the source is configured to be read (a cluster or the simulator: by their own settings). */
    default boolean enabled() {
        return true;
    }

    List<FleetNode> load() throws InventoryException;
}
