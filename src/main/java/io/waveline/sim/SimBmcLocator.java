package io.waveline.sim;

import java.net.URI;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.rollout.port.BmcLocator;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The simulated hosts' BMCs ({@code waveline.sim.enabled}): one per host on loopback, signed by the run's own CA, one account. */
@ApplicationScoped
public class SimBmcLocator implements BmcLocator {

    @ConfigProperty(name = "waveline.sim.enabled", defaultValue = "false")
    boolean simulated;

    @Inject
    SimBmcs bmcs;

    @Override
    public boolean active() {
        return simulated;
    }

    @Override
    public int precedence() {
        return 10;
    }

    @Override
    public Bmc locate(String node) {
        return new Bmc(URI.create("https://127.0.0.1:" + bmcs.bmc(node).port()), Optional.of(bmcs.caPem()),
                Optional.of(new Account(SimBmcs.USER, SimBmcs.PASSWORD)));
    }
}
