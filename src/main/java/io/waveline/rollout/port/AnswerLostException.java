package io.waveline.rollout.port;

/**
 * The command reached the node, but its answer did not come back: the connection dropped, or the command ran past its
 * time, after it was sent. Unlike a refused or failed connection, the command may have run. A reboot's answer is
 * often lost this way when the host goes down at once.
 */
public class AnswerLostException extends NodeUnreachableException {

    public AnswerLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
