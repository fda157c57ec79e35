package io.waveline.rollout;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import io.waveline.plan.Durations;
import io.waveline.rollout.Decision.Builder;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRequest;

/**
 * The node pipeline's check steps (pure, part of {@link NodePipeline}).
 * <ul>
 * <li>VALIDATING: every check passed → BURN_IN when the wave has heavy checks, else UNCORDONING; a driver/library
 * mismatch gets one more reboot; any other failure → FAILED (or QUARANTINED for a hardware cause).</li>
 * <li>BURN_IN, once admitted within the rack's power budget: the heavy checks run detached one after the other, each
 * started under its own job id and polled until done or past its timeout → UNCORDONING, or the failure.</li>
 * </ul>
 */
final class CheckSteps {

    private CheckSteps() {
    }

    static void checked(NodePipeline pipeline, Builder d, List<CheckOutcome> outcomes, Instant now) {
        NodeRun run = d.run;
        d.checks(outcomes);
        Optional<CheckOutcome> failed = outcomes.stream().filter(c -> !c.passed()).findFirst();
        if (failed.isEmpty()) {
            d.event("node.validated", outcomes.stream().map(CheckOutcome::summary).reduce((a, b) -> a + "; " + b).orElse("checks passed"));
            List<CheckRequest> heavy = NodePipeline.heavyChecks(run);
            if (heavy.isEmpty()) {
                NodePipeline.move(d, NodeState.UNCORDONING, now);
            } else {
                run.burnInAdmittedAt = null;
                run.heavyCheck = 0;
                run.checkStartedAt = null;
                run.jobId = null;
                d.event("node.burn-in-waiting", "heavy checks next (" + heavy.stream().map(CheckRequest::name)
                        .reduce((a, b) -> a + ", " + b).orElse("") + "); waiting for the rack's power budget");
                NodePipeline.move(d, NodeState.BURN_IN, now);
            }
        } else if (failed.get().cause() == CheckOutcome.Cause.NVML_MISMATCH && run.mismatchReboots == 0) {
            run.mismatchReboots = 1;
            run.rebootRequestedAt = null;
            d.event("node.nvml-mismatch", "driver/library version mismatch after install: one more reboot, then check again");
            NodePipeline.move(d, NodeState.REBOOTING, now);
        } else {
            pipeline.failCheck(d, failed.get(), now);
        }
    }

    static void heavy(NodePipeline pipeline, Builder d, Observation.Heavy seen, Instant now) {
        NodeRun run = d.run;
        if (run.burnInAdmittedAt == null) {
            return;
        }
        List<CheckRequest> heavy = NodePipeline.heavyChecks(run);
        if (run.heavyCheck >= heavy.size()) {
            d.event("node.burn-in-done", "heavy checks passed");
            NodePipeline.move(d, NodeState.UNCORDONING, now);
            return;
        }
        CheckRequest request = heavy.get(run.heavyCheck);
        String jobId = NodePipeline.heavyJobId(run);
        if (!seen.started()) {
            d.effect(new Decision.StartHeavy(jobId, request));
            run.jobId = jobId;
            run.checkStartedAt = now;
            d.event("node.check-started", request.name() + " started (job " + jobId + ", timeout "
                    + Durations.format(java.time.Duration.ofSeconds(request.timeoutSeconds())) + ")");
            pipeline.later(d, now);
            return;
        }
        if (NodePipeline.unconfirmed(run, "heavy")) {
            run.pendingAction = null;
            d.event("node.check-resumed", request.name() + ": its start (job " + jobId + ") confirmed on the host after a restart");
        }
        if (seen.outcome().isEmpty()) {
            if (run.checkStartedAt != null && now.isAfter(run.checkStartedAt.plusSeconds(request.timeoutSeconds()))) {
                CheckOutcome late = NodePipeline.late(request);
                d.checks(List.of(late));
                pipeline.failCheck(d, late, now);
            } else {
                pipeline.later(d, now);
            }
            return;
        }
        CheckOutcome outcome = seen.outcome().get();
        run.pendingAction = null;
        d.checks(List.of(outcome));
        if (!outcome.passed()) {
            pipeline.failCheck(d, outcome, now);
            return;
        }
        d.event("node.check-passed", request.name() + ": " + outcome.summary());
        run.heavyCheck++;
        run.jobId = null;
        run.checkStartedAt = null;
        run.nextAttemptAt = now;
    }
}
