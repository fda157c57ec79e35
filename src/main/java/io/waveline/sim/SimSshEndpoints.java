package io.waveline.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.ShutdownEvent;
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
