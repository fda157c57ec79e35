package io.waveline.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.SshEndpoints;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * The simulated hosts served over real SSH ({@code waveline.sim.enabled}, {@code waveline.sim.transport=ssh}, the
 * default): the in-process servers of {@link SimSshServers}, started on first use, their host keys and client key.
 */
@ApplicationScoped
public class SimSshEndpoints implements SshEndpoints {

    @ConfigProperty(name = "waveline.sim.enabled", defaultValue = "false")
    boolean simulated;

    @ConfigProperty(name = "waveline.sim.transport", defaultValue = "ssh")
    String transport;

    @Inject
    SimFleet fleet;

    private SimSshServers servers;
    private Path workDir;
    private boolean stopped;

    /**
     * The servers are started in the background as the service starts (their keys and one server per host take about
     * a second), so the first node's first command does not wait for them; a command that comes first waits.
     */
    void prepare(@Observes StartupEvent event) {
        if (active()) {
            Thread starting = new Thread(() -> {
                try {
                    running();
                } catch (RuntimeException e) {
                    org.jboss.logging.Logger.getLogger(SimSshEndpoints.class).warnf("The simulated SSH servers did not start: %s"
                            + "; the first command tries again", e.getMessage());
                }
            }, "sim-ssh-start");
            starting.setDaemon(true);
            starting.start();
        }
    }

    @Override
    public boolean active() {
        return simulated && transport.equals("ssh");
    }

    @Override
    public int precedence() {
        return 10;
    }

    /** The simulated SSH servers, once started. */
    public synchronized Optional<SimSshServers> servers() {
        return Optional.ofNullable(servers);
    }

    private synchronized SimSshServers running() {
        if (stopped) {
            throw new IllegalStateException("the simulated SSH servers are stopped (the service is stopping)");
        }
        if (servers == null) {
            try {
                workDir = Files.createTempDirectory("waveline-sim-ssh");
                servers = SimSshServers.start(fleet, workDir);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return servers;
    }

    @Override
    public NodeAddress dial(NodeAddress node) {
        return new NodeAddress(node.name(), "127.0.0.1", running().port(node.name()), "waveline");
    }

    @Override
    public Path knownHosts() {
        return running().knownHosts();
    }

    @Override
    public Optional<KeyPair> clientKey() {
        return Optional.of(running().clientKey());
    }

    /** Stops the servers and removes their keys and known_hosts, so no start leaves a directory behind. */
    synchronized void stop(@Observes ShutdownEvent event) {
        stopped = true;
        if (servers != null) {
            servers.close();
        }
        if (workDir != null) {
            try (java.util.stream.Stream<Path> files = Files.walk(workDir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                org.jboss.logging.Logger.getLogger(SimSshEndpoints.class).warnf("Could not remove %s: %s", workDir, e.getMessage());
            }
        }
    }
}
