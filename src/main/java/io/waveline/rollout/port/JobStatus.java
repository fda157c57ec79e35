package io.waveline.rollout.port;

/** A detached job (an install, a long health check) on a node: never started, still running, or done with its exit status and output. */
public record JobStatus(State state, int exitStatus, String output) {

    public enum State {
        NOT_FOUND, RUNNING, DONE
    }

    public static JobStatus notFound() {
        return new JobStatus(State.NOT_FOUND, -1, "");
    }

    public static JobStatus running() {
        return new JobStatus(State.RUNNING, -1, "");
    }

    public boolean succeeded() {
        return state == State.DONE && exitStatus == 0;
    }
}
