package io.waveline.rollout.port;

/** Where a node's shell is: host, port and user. */
public record NodeAddress(String name, String host, int port, String user) {
}
