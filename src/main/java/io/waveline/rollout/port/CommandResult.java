package io.waveline.rollout.port;

/** What a remote command answered: its exit status and its output (stdout and stderr, bounded). */
public record CommandResult(int exitStatus, String output) {

    public static final int MAX_OUTPUT_CHARS = 64 * 1024;

    public CommandResult {
        output = output == null ? "" : output.length() > MAX_OUTPUT_CHARS ? output.substring(0, MAX_OUTPUT_CHARS) : output;
    }

    public boolean ok() {
        return exitStatus == 0;
    }
}
