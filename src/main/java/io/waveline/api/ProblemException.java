package io.waveline.api;

import java.util.List;

import io.waveline.plan.PlanError;

/** A request refused with a problem+json answer; carries precise errors when the input was a document. */
public final class ProblemException extends RuntimeException {

    private final int status;
    private final String title;
    private final List<PlanError> errors;

    public ProblemException(int status, String title, String detail, List<PlanError> errors) {
        super(detail);
        this.status = status;
        this.title = title;
        this.errors = List.copyOf(errors);
    }

    public ProblemException(int status, String title, String detail) {
        this(status, title, detail, List.of());
    }

    public static ProblemException notFound(String what) {
        return new ProblemException(404, "Not Found", what, List.of());
    }

    public static ProblemException badRequest(String detail) {
        return new ProblemException(400, "Bad Request", detail, List.of());
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public List<PlanError> errors() {
        return errors;
    }
}
