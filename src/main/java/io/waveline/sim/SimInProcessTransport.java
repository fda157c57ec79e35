package io.waveline.sim;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.rollout.port.RemoteShell;
import io.waveline.rollout.port.ShellTransport;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Straight to the simulated hosts, without SSH ({@code waveline.sim.transport=in-process}, for benchmarks). */
@ApplicationScoped
public class SimInProcessTransport implements ShellTransport {

    @ConfigProperty(name = "waveline.sim.enabled", defaultValue = "false")
    boolean simulated;

    @ConfigProperty(name = "waveline.sim.transport", defaultValue = "ssh")
    String transport;

    @Inject
    SimFleet fleet;

    @Override
    public boolean active() {
        return simulated && transport.equals("in-process");
    }

    @Override
    public int precedence() {
        return 10;
    }

    @Override
    public RemoteShell open() {
        return new SimulatedRemoteShell(fleet);
    }
}
