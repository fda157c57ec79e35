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
 * Carries out a {@link Decision}'s effects on the node, in order, through its method and its scheduler's node
 * operations. A node that does not answer stops it (the step is then decided as unreachable), except for
 * best-effort effects, whose failure becomes an event. Answers the decision with what the effects returned (the
 * install's handle) and those events.
 */
@ApplicationScoped
public class NodeEffects {

    @Inject
    HealthCheck checks;

    public Decision carryOut(Decision decision, Upgrader method, NodeOperations node) throws NodeUnreachableException {
        NodeRun run = decision.next();
        List<Decision.Event> events = new ArrayList<>(decision.events());
        for (Decision.Effect effect : decision.effects()) {
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
        return new Decision(run, List.copyOf(events), decision.checks(), decision.effects());
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
