package io.waveline.sim;

import java.time.Duration;

import io.waveline.ssh.CommandResult;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import io.waveline.ssh.RemoteShell;

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
