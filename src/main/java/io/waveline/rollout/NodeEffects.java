package io.waveline.rollout;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.waveline.rollout.port.HealthCheck;
import io.waveline.rollout.port.NodeOperations;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.Upgrader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Carries out a {@link Decision}'s effects, in order, through the node's method and its scheduler's node operations:
 * {@link #carryOut} the scheduler calls, before the decision is committed, and {@link #act} the host actions, after
 * it. A node that does not answer stops them (the step is then decided as unreachable), except for best-effort
 * effects, whose failure becomes an event.
 */
@ApplicationScoped
public class NodeEffects {

    @Inject
    HealthCheck checks;

    /** The decision's scheduler calls (not its host actions); answers the decision with the failures of best-effort ones as events. */
    public Decision carryOut(Decision decision, Upgrader method, NodeOperations node) throws NodeUnreachableException {
        NodeRun run = decision.next();
        List<Decision.Event> events = new ArrayList<>(decision.events());
        for (Decision.Effect effect : decision.effects()) {
            if (effect instanceof Decision.HostAction) {
                continue;
            }
            try {
                apply(effect, run, method, node);
            } catch (NodeUnreachableException | RuntimeException e) {
                if (!effect.bestEffort()) {
                    throw e;
                }
                events.add(new Decision.Event("node.mirror-failed", "could not show the state on the node in its scheduler: "
                        + e.getMessage()));
            }
        }
        return new Decision(run, List.copyOf(events), decision.checks(), decision.effects(), decision.documentsChanged(),
                decision.actionsDecidedOn());
    }

    /**
     * The host actions of a committed decision, on {@code run} (the committed node run): the install's handle is
     * stored on it. Nothing here is best effort.
     */
    public void act(List<Decision.HostAction> actions, NodeRun run, Upgrader method) throws NodeUnreachableException {
        for (Decision.HostAction action : actions) {
            apply(action, run, method, null);
        }
    }

    private void apply(Decision.Effect effect, NodeRun run, Upgrader method, NodeOperations node) throws NodeUnreachableException {
        if (effect instanceof Decision.StartInstall start) {
            run.jobHandle = method.startInstall(run.address(), start.jobId(), run.wantedVersions(), run.settings());
        } else if (effect instanceof Decision.Reset reset) {
            method.reset(run.address(), reset.reset(), run.settings());
        } else if (effect instanceof Decision.StartHeavy heavy) {
            checks.startHeavy(run.address(), heavy.jobId(), heavy.request(), NodeStepper.context(run, method));
        } else if (effect instanceof Decision.Cordon) {
            node.cordon(run.nodeName, run.rolloutId);
        } else if (effect instanceof Decision.Uncordon uncordon) {
            node.uncordon(run.nodeName, uncordon.outcome());
        } else if (effect instanceof Decision.Mirror mirror) {
            node.mirror(run.nodeName, run.rolloutId, mirror.state(), Optional.ofNullable(mirror.reason()));
        }
    }
}
