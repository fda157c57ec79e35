package io.waveline.sim;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.waveline.ssh.CommandResult;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import io.waveline.ssh.RemoteShell;
import io.waveline.ssh.SshjRemoteShell;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/**
 * Chooses how Waveline reaches nodes. Real fleet: sshj with {@code waveline.ssh.private-key} and
 * {@code waveline.ssh.known-hosts}. Simulated fleet ({@code waveline.sim.enabled}): over real SSH to the
 * in-process servers of {@link SimSshServers} ({@code waveline.sim.transport=ssh}, the default), or straight to
 * the simulated hosts ({@code in-process}, for benchmarks without SSH).
 */
@ApplicationScoped
public class RemoteShellSelection {

    private static final Logger LOG = Logger.getLogger(RemoteShellSelection.class);

    @ConfigProperty(name = "waveline.sim.enabled", defaultValue = "false")
    boolean simulated;

    @ConfigProperty(name = "waveline.sim.transport", defaultValue = "ssh")
    String transport;

    @ConfigProperty(name = "waveline.ssh.private-key")
    Optional<String> privateKey;

    @ConfigProperty(name = "waveline.ssh.known-hosts", defaultValue = "${user.home}/.ssh/known_hosts")
    String knownHosts;

    @ConfigProperty(name = "waveline.ssh.connect-timeout", defaultValue = "10s")
    Duration connectTimeout;

    @ConfigProperty(name = "waveline.ssh.max-connections", defaultValue = "200")
    int maxConnections;

    private SimSshServers servers;
    private SshjRemoteShell ssh;

    @Produces
    @Singleton
    RemoteShell remoteShell(SimFleet fleet) {
        if (simulated && transport.equals("in-process")) {
            return new SimulatedRemoteShell(fleet);
        }
        if (simulated) {
            try {
                servers = SimSshServers.start(fleet, Files.createTempDirectory("waveline-sim-ssh"));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            ssh = new SshjRemoteShell(servers.knownHosts(), new KeyPairWrapper(servers.clientKey()), connectTimeout,
                    maxConnections);
            SimSshServers running = servers;
            SshjRemoteShell client = ssh;
            return (node, command, timeout) -> client.run(new NodeAddress(node.name(), "127.0.0.1",
                    running.port(node.name()), "waveline"), command, timeout);
        }
        if (privateKey.isEmpty()) {
            LOG.warn("waveline.ssh.private-key is not set: commands to nodes will fail until it is");
            return new RemoteShell() {
                @Override
                public CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
                    throw new NodeUnreachableException("no SSH key: set waveline.ssh.private-key (WAVELINE_SSH_PRIVATE_KEY); "
                            + node.name() + " was not contacted");
                }
            };
        }
        KeyProvider key;
        try {
            key = new net.schmizz.sshj.SSHClient().loadKeys(privateKey.get());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read waveline.ssh.private-key " + privateKey.get(), e);
        }
        ssh = new SshjRemoteShell(Path.of(knownHosts), key, connectTimeout, maxConnections);
        return ssh;
    }

    /** The simulated SSH servers, when the simulated fleet is served over SSH. */
    public Optional<SimSshServers> servers() {
        return Optional.ofNullable(servers);
    }

    public Optional<SshjRemoteShell> sshClient() {
        return Optional.ofNullable(ssh);
    }

    void stop(@Observes ShutdownEvent event) {
        if (ssh != null) {
            ssh.close();
        }
        if (servers != null) {
            servers.close();
        }
    }
}
