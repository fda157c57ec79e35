package io.waveline.api;

import io.waveline.plan.PlanError;

/** One precise error or warning: where (file, line, column, field path) and what to do. */
public record ErrorView(String file, int line, int column, String path, String message) {

    public static ErrorView of(PlanError error) {
        return new ErrorView(error.file(), error.line(), error.column(), error.path(), error.message());
    }
}
