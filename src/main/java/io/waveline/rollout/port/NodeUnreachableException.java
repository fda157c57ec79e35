package io.waveline.rollout.port;

/** The node did not answer (connection refused or dropped, timeout): transient, worth retrying. */
public class NodeUnreachableException extends Exception {

    public NodeUnreachableException(String message) {
        super(message);
    }

    public NodeUnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
