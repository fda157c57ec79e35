package io.waveline.sim;

import java.time.Duration;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.ssh.CommandResult;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import io.waveline.ssh.RemoteShell;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Chooses the node transport: the simulated hosts when {@code waveline.sim.enabled}, otherwise SSH. The sshj
 * transport is not built yet; until it is, commands to real hosts fail with a clear message.
 */
@ApplicationScoped
public class RemoteShellSelection {

    @Produces
    @Singleton
    RemoteShell remoteShell(SimFleet fleet, @ConfigProperty(name = "waveline.sim.enabled", defaultValue = "false") boolean simulated) {
        if (simulated) {
            return new SimulatedRemoteShell(fleet);
        }
        return new RemoteShell() {
            @Override
            public CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
                throw new NodeUnreachableException("no SSH transport yet: Waveline can drive only the simulated fleet "
                        + "(waveline.sim.enabled=true); " + node.name() + " was not contacted");
            }
        };
    }
}
