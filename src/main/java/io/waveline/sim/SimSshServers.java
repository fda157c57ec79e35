package io.waveline.sim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.jboss.logging.Logger;

import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.NodeUnreachableException;

/**
 * Serves every simulated host over real SSH (Apache MINA SSHD, in-process), one server per host on 127.0.0.1,
 * each with its own host key, accepting only Waveline's client key. A command runs on the host's {@link SimHost};
 * while the host is down (rebooting, hung, a dropped connection) the session is cut, as a real network would.
 * Writes a known_hosts file with every host's key, for the client to verify against.
 */
public final class SimSshServers implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(SimSshServers.class);

    private final SimFleet fleet;
    private final KeyPair clientKey;
    private final Map<String, SshServer> servers = new LinkedHashMap<>();
    private final Map<String, KeyPair> hostKeys = new LinkedHashMap<>();
    private final Path knownHosts;

    private SimSshServers(SimFleet fleet, KeyPair clientKey, Path knownHosts) {
        this.fleet = fleet;
        this.clientKey = clientKey;
        this.knownHosts = knownHosts;
    }

    public static SimSshServers start(SimFleet fleet, Path workDir) {
        try {
            Files.createDirectories(workDir);
            SimSshServers servers = new SimSshServers(fleet, generate(), workDir.resolve("known_hosts"));
            for (var node : fleet.nodes()) {
                servers.serve(node.name());
            }
            servers.writeKnownHosts();
            LOG.infof("Simulated fleet served over SSH: %d hosts on 127.0.0.1, known_hosts %s", servers.servers.size(),
                    servers.knownHosts);
            return servers;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated SSH servers", e);
        }
    }

    public KeyPair clientKey() {
        return clientKey;
    }

    public Path knownHosts() {
        return knownHosts;
    }

    public int port(String host) {
        SshServer server = servers.get(host);
        return server == null ? 22 : server.getPort();
    }

    /** Gives a host a new host key, as a reinstalled (or impostor) machine would have; known_hosts is not updated. */
    public void replaceHostKey(String host) {
        servers.get(host).setKeyPairProvider(KeyPairProvider.wrap(generate()));
    }

    private void serve(String host) throws IOException {
        KeyPair hostKey = generate();
        hostKeys.put(host, hostKey);
        SshServer server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, clientKey.getPublic()));
        server.setCommandFactory((channel, command) -> new SimCommand(host, command));
        // As sshd does for sessions: small packets go out at once instead of waiting for the client's delayed ACK.
        org.apache.sshd.core.CoreModuleProperties.TCP_NODELAY.set(server, true);
        server.start();
        servers.put(host, server);
    }

    private void writeKnownHosts() throws IOException {
        List<String> lines = new ArrayList<>();
        for (Map.Entry<String, SshServer> entry : servers.entrySet()) {
            lines.add("[127.0.0.1]:" + entry.getValue().getPort() + " "
                    + PublicKeyEntry.toString(hostKeys.get(entry.getKey()).getPublic()));
        }
        Files.write(knownHosts, lines, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (SshServer server : servers.values()) {
            try {
                server.stop(true);
            } catch (IOException e) {
                LOG.debugf("stopping a simulated SSH server: %s", e.getMessage());
            }
        }
    }

    static KeyPair generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One exec request: run it on the simulated host, answer its output and exit status, or cut the session. */
    private final class SimCommand implements Command {
        private final String host;
        private final String command;
        private OutputStream out;
        private ExitCallback exit;

        SimCommand(String host, String command) {
            this.host = host;
            this.command = command;
        }

        @Override
        public void setInputStream(InputStream in) {
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) throws IOException {
            CommandResult result;
            try {
                result = fleet.exec(host, command);
            } catch (NodeUnreachableException e) {
                channel.getSession().close(true);
                return;
            }
            out.write(result.output().getBytes(StandardCharsets.UTF_8));
            out.flush();
            exit.onExit(result.exitStatus());
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
