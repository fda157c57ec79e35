package io.waveline.cli;

/** What the {@code waveline} command exits with (also in its {@code --help} and docs/cli.md). */
public final class ExitCodes {

    public static final int OK = 0;
    /** A plan file is not valid (validate, preview). */
    public static final int INVALID_PLAN = 1;
    /** The command line is wrong (picocli's own code for usage errors). */
    public static final int USAGE = 2;
    /** The server cannot be reached, or answered 5xx. */
    public static final int SERVER = 3;
    /** The server refused the token: 401 or 403. */
    public static final int REFUSED = 4;
    /** The server refused the request: 400, 404, 409, 422. */
    public static final int REJECTED = 5;
    public static final int ROLLOUT_FAILED = 10;
    public static final int ROLLOUT_ROLLED_BACK = 11;
    public static final int ROLLOUT_ABORTED = 12;

    private ExitCodes() {
    }

    /** The exit code for a rollout that ended in {@code state}. */
    public static int ofRollout(String state) {
        return switch (state) {
            case "SUCCEEDED" -> OK;
            case "ROLLED_BACK" -> ROLLOUT_ROLLED_BACK;
            case "ABORTED" -> ROLLOUT_ABORTED;
            default -> ROLLOUT_FAILED;
        };
    }
}
