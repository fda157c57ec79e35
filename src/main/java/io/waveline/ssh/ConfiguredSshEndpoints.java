package io.waveline.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.SshEndpoints;
import jakarta.enterprise.context.ApplicationScoped;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/** The fleet's SSH servers as configured: each node's own address, {@code waveline.ssh.known-hosts}, {@code waveline.ssh.private-key}. */
@ApplicationScoped
public class ConfiguredSshEndpoints implements SshEndpoints {

    @ConfigProperty(name = "waveline.ssh.private-key")
    Optional<String> privateKey;

    @ConfigProperty(name = "waveline.ssh.known-hosts", defaultValue = "${user.home}/.ssh/known_hosts")
    String knownHosts;

    @Override
    public NodeAddress dial(NodeAddress node) {
        return node;
    }

    @Override
    public Path knownHosts() {
        return Path.of(knownHosts);
    }

    @Override
    public Optional<KeyPair> clientKey() {
        if (privateKey.isEmpty()) {
            return Optional.empty();
        }
        try (net.schmizz.sshj.SSHClient loader = new net.schmizz.sshj.SSHClient(SshjRemoteShell.config())) {
            KeyProvider key = loader.loadKeys(privateKey.get());
            return Optional.of(new KeyPair(key.getPublic(), key.getPrivate()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read waveline.ssh.private-key " + privateKey.get(), e);
        }
    }
}
