package io.waveline.sim;

import java.time.Duration;

import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.RemoteShell;

/** Runs commands on the simulated hosts in-process, with no SSH in between (demo and benchmarks). */
public final class SimulatedRemoteShell implements RemoteShell {

    private final SimFleet fleet;

    public SimulatedRemoteShell(SimFleet fleet) {
        this.fleet = fleet;
    }

    @Override
    public CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
        return fleet.exec(node.name(), command);
    }
}
