package io.waveline.fleet;

import java.util.List;
import java.util.stream.Collectors;

import io.waveline.plan.PlanError;

/** An inventory that could not be read, with every problem found (file, line, field, what to do). */
public final class InventoryException extends Exception {

    private final List<PlanError> problems;

    public InventoryException(List<PlanError> problems) {
        super(problems.stream().map(PlanError::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public InventoryException(String file, String message) {
        this(List.of(new PlanError(file, 0, 0, "", message)));
    }

    public List<PlanError> problems() {
        return problems;
    }
}
