package io.waveline.cli;

/** A failure the command reports as one line ({@code waveline: <message>}) and exits with {@code exitCode}. */
final class CliFailure extends RuntimeException {

    private final int exitCode;

    CliFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
