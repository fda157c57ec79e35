package io.waveline.rollout.port;

/**
 * The node's host key is not the one in known_hosts (unknown or changed). Not retried: it may be a different
 * machine answering, and Waveline never runs a command there.
 */
public class HostKeyRejectedException extends NodeUnreachableException {

    public HostKeyRejectedException(String message, Throwable cause) {
        super(message, cause);
    }
}
