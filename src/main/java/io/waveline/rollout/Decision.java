package io.waveline.rollout;

import java.util.ArrayList;
import java.util.List;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.rollout.port.Upgrader;

/**
 * What {@link NodePipeline#decide} answers: the node run as it is to be committed, the events and check results that
 * go with it, and the effects the executor carries out on the node first (in order). {@code actionsDecidedOn}, where
 * not null, is the node run the host actions were decided on when that is not the run stepped (a step that decided
 * twice, {@link #then}): what a host action whose answer is lost goes back to.
 */
public record Decision(NodeRun next, List<Decision.Event> events, List<CheckOutcome> checks, List<Effect> effects,
        boolean documentsChanged, NodeRun actionsDecidedOn) {

    public Decision(NodeRun next, List<Decision.Event> events, List<CheckOutcome> checks, List<Effect> effects,
            boolean documentsChanged) {
        this(next, events, checks, effects, documentsChanged, null);
    }

    /**
     * A decision that may have changed any of the node run's JSON documents. {@code documentsChanged} false says that the
     * baseline and the previous versions (the only documents a step sets) are those the node run had, so the commit
     * does not write them again.
     */
    public Decision(NodeRun next, List<Decision.Event> events, List<CheckOutcome> checks, List<Effect> effects) {
        this(next, events, checks, effects, true);
    }

    /** An event of the node's timeline, committed with the decision. */
    public record Event(String kind, String message) {
    }

    /**
     * Something to do on the node or in its scheduler. Scheduler calls (cordon, uncordon, mirror) are idempotent and
     * observed again by every step: they are carried out before the decision is committed. A {@link HostAction} is
     * not: the decision is committed first, naming it as the node run's pending action, then it is carried out, and
     * its outcome is committed after.
     */
    public sealed interface Effect {
        /** Whether a failure of this effect is reported as an event instead of failing the step. */
        default boolean bestEffort() {
            return false;
        }
    }

    /** An action on the host itself, recorded (its event and the node run's {@code pendingAction}) before it is carried out. */
    public sealed interface HostAction extends Effect {
        /** What {@code NodeRun.pendingAction} says while the action is not confirmed. */
        String word();
    }

    /** Start the install job under {@code jobId}; its handle is kept with the node run. */
    public record StartInstall(String jobId) implements HostAction {
        @Override
        public String word() {
            return "install";
        }
    }

    /** Ask the method for this reset. */
    public record Reset(Upgrader.Reset reset) implements HostAction {
        @Override
        public String word() {
            return "reset";
        }
    }

    /** Start the heavy check detached under {@code jobId}. */
    public record StartHeavy(String jobId, CheckRequest request) implements HostAction {
        @Override
        public String word() {
            return "heavy";
        }
    }

    /** Take the node out of service in its scheduler (a node found faulty while in service). */
    public record Cordon() implements Effect {
    }

    /** Back into service; {@code outcome} is shown on the node. */
    public record Uncordon(String outcome) implements Effect {
    }

    /** Show Waveline's state of the node on it. */
    public record Mirror(String state, String reason) implements Effect {
        @Override
        public boolean bestEffort() {
            return true;
        }
    }

    /**
     * This decision followed by {@code after}, decided on this one's {@code next} in the same step: committed as one,
     * with the events, checks and effects of both (this one's scheduler calls are carried out already), and
     * {@code after}'s host actions, decided on this one's {@code next}.
     */
    public Decision then(Decision after) {
        List<Decision.Event> allEvents = new ArrayList<>(events);
        allEvents.addAll(after.events());
        List<CheckOutcome> allChecks = new ArrayList<>(checks);
        allChecks.addAll(after.checks());
        List<Effect> allEffects = new ArrayList<>(effects.stream().filter(e -> !(e instanceof HostAction)).toList());
        allEffects.addAll(after.effects());
        return new Decision(after.next(), List.copyOf(allEvents), List.copyOf(allChecks), List.copyOf(allEffects),
                documentsChanged || after.documentsChanged(), after.hostActions().isEmpty() ? null : next);
    }

    /** The host actions among the effects, to carry out after this decision is committed. */
    public List<HostAction> hostActions() {
        return effects.stream().filter(HostAction.class::isInstance).map(HostAction.class::cast).toList();
    }

    /** Builds a decision on a copy of the run it is about. */
    static final class Builder {
        final NodeRun run;
        private final List<Decision.Event> events = new ArrayList<>();
        private final List<CheckOutcome> checks = new ArrayList<>();
        private final List<Effect> effects = new ArrayList<>();

        private final NodeRun original;

        Builder(NodeRun run) {
            this.original = run;
            this.run = run.copy();
        }

        Builder event(String kind, String message) {
            events.add(new Decision.Event(kind, message));
            return this;
        }

        Builder checks(List<CheckOutcome> outcomes) {
            checks.addAll(outcomes);
            return this;
        }

        Builder effect(Effect effect) {
            effects.add(effect);
            if (effect instanceof HostAction action) {
                run.pendingAction = action.word();
            }
            return this;
        }

        Decision build() {
            return new Decision(run, List.copyOf(events), List.copyOf(checks), List.copyOf(effects),
                    run.baseline != original.baseline || run.previousVersions != original.previousVersions);
        }
    }
}
