package io.waveline.rollout.port;

import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;

/**
 * Where the nodes' SSH servers are and how they are trusted: the address to dial for a node, the known hosts file
 * its host key must be in, and the client key. The configured fleet's ({@code waveline.ssh.*}) unless the
 * simulator serves the hosts.
 */
public interface SshEndpoints extends Selectable {

    NodeAddress dial(NodeAddress node);

    Path knownHosts();

    /** The client key; empty when none is configured (commands to nodes then fail with the setting to set). */
    Optional<KeyPair> clientKey();
}
