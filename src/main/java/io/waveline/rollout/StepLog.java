package io.waveline.rollout;

import java.util.ArrayList;
import java.util.List;

import io.waveline.rollout.port.CheckOutcome;

/** What one node step did, to be committed with the node's new state: events and check results. */
public final class StepLog {

    public record Entry(String kind, String message) {
    }

    private final List<Entry> events = new ArrayList<>();
    private final List<CheckOutcome> checks = new ArrayList<>();

    public void event(String kind, String message) {
        events.add(new Entry(kind, message));
    }

    public void checks(List<CheckOutcome> outcomes) {
        checks.addAll(outcomes);
    }

    public List<Entry> events() {
        return events;
    }

    public List<CheckOutcome> checks() {
        return checks;
    }
}
