package io.waveline.ssh;

import java.time.Duration;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.RemoteShell;
import io.waveline.rollout.port.Selectable;
import io.waveline.rollout.port.ShellTransport;
import io.waveline.rollout.port.SshEndpoints;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;

/**
 * Commands over real SSH with sshj ({@link SshjRemoteShell}) to the servers the active {@link SshEndpoints} names,
 * with {@code waveline.ssh.connect-timeout} and at most {@code waveline.ssh.max-connections} open connections.
 * Without a client key every command fails with the setting to set, and no node is contacted.
 */
@ApplicationScoped
public class SshjTransport implements ShellTransport {

    private static final Logger LOG = Logger.getLogger(SshjTransport.class);

    @ConfigProperty(name = "waveline.ssh.connect-timeout", defaultValue = "10s")
    Duration connectTimeout;

    @ConfigProperty(name = "waveline.ssh.max-connections", defaultValue = "200")
    int maxConnections;

    @Inject
    @Any
    Instance<SshEndpoints> endpoints;

    private volatile SshjRemoteShell client;

    @Override
    public RemoteShell open() {
        SshEndpoints servers = Selectable.pick(endpoints, "the SSH endpoints");
        var key = servers.clientKey();
        if (key.isEmpty()) {
            LOG.warn("waveline.ssh.private-key is not set: commands to nodes will fail until it is");
            return (node, command, timeout) -> {
                throw new NodeUnreachableException("no SSH key: set waveline.ssh.private-key (WAVELINE_SSH_PRIVATE_KEY); "
                        + node.name() + " was not contacted");
            };
        }
        client = new SshjRemoteShell(servers.knownHosts(), new KeyPairWrapper(key.get()), connectTimeout, maxConnections);
        SshjRemoteShell ssh = client;
        return (node, command, timeout) -> ssh.run(servers.dial(node), command, timeout);
    }

    /** The sshj client, once a shell was opened with a key. */
    public Optional<SshjRemoteShell> client() {
        return Optional.ofNullable(client);
    }

    /**
     * Where nodes are reached over SSH, sshj's algorithm set is built and the known_hosts file read now, in the
     * background, not by the first node's first command.
     */
    void prepare(@Observes StartupEvent event, @Any Instance<ShellTransport> transports, Instance<RemoteShell> shell) {
        if (Selectable.pick(transports, "the remote shell") instanceof SshjTransport) {
            SshjRemoteShell.buildConfigAhead();
            Thread thread = new Thread(() -> {
                try {
                    shell.get(); // opens this transport's shell (the endpoints may take a moment: a simulated fleet starts)
                    client().ifPresent(SshjRemoteShell::readKnownHostsAhead);
                } catch (RuntimeException e) { // stopping, or no endpoints: the first node's command says what is wrong
                    LOG.debugf("The known_hosts file was not read ahead: %s", e);
                }
            }, "ssh-known-hosts");
            thread.setDaemon(true);
            thread.setPriority(Thread.MIN_PRIORITY);
            thread.start();
        }
    }

    void stop(@Observes ShutdownEvent event) {
        if (client != null) {
            client.close();
        }
    }
}
