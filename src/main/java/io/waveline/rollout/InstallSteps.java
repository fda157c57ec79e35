package io.waveline.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.waveline.plan.Components;
import io.waveline.plan.Durations;
import io.waveline.rollout.Decision.Builder;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.Upgrader;

/**
 * The node pipeline's install and reset steps (pure, part of {@link NodePipeline}).
 * <ul>
 * <li>UPGRADING / ROLLING_BACK: the versions already installed and no job of this run under way → REBOOTING; else
 * start the detached install job, or follow it: done → REBOOTING; failed or past the install timeout → FAILED
 * (driver/software).</li>
 * <li>REBOOTING: no reset needed → VALIDATING; else ask for the method's first reset, and when no new boot id shows
 * within its patience for the next one; a new boot id → VALIDATING; none after the last → QUARANTINED (hardware). A
 * reset whose answer was lost after it was sent is taken as under way (a host going down often drops the connection
 * first): its new boot id is awaited as for a confirmed one, and where the host did not go down the patience ends in
 * the next reset or the failure.</li>
 * </ul>
 */
final class InstallSteps {

    private InstallSteps() {
    }

    static void install(NodePipeline pipeline, Builder d, Observation.Install seen, Instant now) {
        NodeRun run = d.run;
        Map<String, String> wanted = run.wantedVersions();
        String jobId = NodePipeline.installJobId(run);
        JobStatus job = seen.ours();
        boolean unconfirmed = NodePipeline.unconfirmed(run, "install");
        if (unconfirmed && job.state() != JobStatus.State.NOT_FOUND) {
            run.pendingAction = null;
            d.event("node.install-found", "install found " + (job.state() == JobStatus.State.RUNNING ? "running" : "finished")
                    + " on the host after a restart (job " + jobId + "): following it");
        }
        if (job.state() == JobStatus.State.NOT_FOUND) {
            if (seen.installed().isPresent() && seen.installed().get().entrySet().containsAll(wanted.entrySet())) {
                d.event("node.installed", "installed " + Components.describe(wanted));
                NodePipeline.move(d, NodeState.REBOOTING, now);
                return;
            }
            run.jobId = jobId;
            run.jobHandle = null;
            job = seen.fresh().orElse(JobStatus.notFound());
        }
        switch (job.state()) {
            case NOT_FOUND -> {
                d.effect(new Decision.StartInstall(jobId));
                d.event("node.install-started", "installing " + Components.describe(wanted) + " with " + seen.installer()
                        + " (job " + jobId + ")" + (unconfirmed ? ", again: Waveline stopped before it confirmed the first"
                                + " start, and the job is not on the host" : ""));
                NodePipeline.lookRightAfter(d, now);
            }
            case RUNNING -> {
                Duration limit = run.settings().updateTimeout().orElse(pipeline.installTimeout());
                if (now.isAfter(run.stepStartedAt.plus(limit))) {
                    pipeline.fail(d, FailureClass.DRIVER, "install-timeout", "install of " + Components.describe(wanted)
                            + " did not finish within " + Durations.format(limit) + (run.settings().updateTimeout().isPresent()
                                    ? " (method.updateTimeout)" : " (waveline.engine.install-timeout)"), now);
                } else {
                    pipeline.later(d, now);
                }
            }
            default -> {
                if (job.succeeded()) {
                    String said = NodePipeline.said(run, job);
                    d.event("node.installed", "installed " + Components.describe(wanted) + (said.isEmpty() ? "" : " (" + said + ")"));
                    NodePipeline.move(d, NodeState.REBOOTING, now);
                } else {
                    String last = job.output().strip().lines().reduce((a, b) -> b).orElse("");
                    pipeline.fail(d, FailureClass.DRIVER, "install-failed", "install of " + Components.describe(wanted)
                            + " failed (exit " + job.exitStatus() + "): " + last, now);
                }
            }
        }
    }

    /** After {@link Observation.ResetUnanswered}: the reset counts as asked, its new boot id is looked for at once. */
    static void resetUnanswered(Builder d, Observation.ResetUnanswered lost, Instant now) {
        d.run.pendingAction = null;
        d.event("node.reboot-answer-lost", "the reset's answer did not come back (" + lost.failure().getMessage()
                + "): taken as the host going down; waiting for its new boot id");
        NodePipeline.lookRightAfter(d, now);
    }

    static void boot(NodePipeline pipeline, Builder d, Observation.Boot seen, Instant now) {
        NodeRun run = d.run;
        List<Upgrader.Reset> resets = seen.resets();
        if (resets.isEmpty()) {
            d.event("node.reset-skipped", "no reset needed for " + Components.describe(run.wantedVersions()));
            NodePipeline.move(d, NodeState.VALIDATING, now);
            return;
        }
        Upgrader.Reset current = NodePipeline.resetAt(resets, run.resetStep);
        if (seen.bootId().isPresent() && !seen.bootId().get().equals(run.baselineBootId)) {
            run.baselineBootId = seen.bootId().get();
            run.rebootRequestedAt = null;
            run.resetStep = 0;
            d.event("node.rebooted", "back after the reboot (new boot_id)");
            NodePipeline.move(d, NodeState.VALIDATING, now);
        } else if (seen.bootId().isPresent() && NodePipeline.unconfirmed(run, "reset")) {
            d.effect(new Decision.Reset(current));
            run.rebootRequestedAt = now;
            d.event("node.reboot-requested", current.description() + ", again: Waveline stopped before it confirmed the"
                    + " request, and the node has not rebooted");
            NodePipeline.lookRightAfter(d, now);
        } else if (run.rebootRequestedAt == null) {
            run.resetStep = 0;
            d.effect(new Decision.Reset(resets.get(0)));
            run.rebootRequestedAt = now;
            d.event("node.reboot-requested", resets.get(0).description());
            NodePipeline.lookRightAfter(d, now);
        } else if (now.isAfter(run.rebootRequestedAt.plus(current.patience())) && run.resetStep + 1 < resets.size()) {
            Upgrader.Reset next = resets.get(run.resetStep + 1);
            d.effect(new Decision.Reset(next));
            run.resetStep++;
            run.rebootRequestedAt = now;
            d.event("node.reset-escalated", "no new boot id " + Durations.format(current.patience()) + " after "
                    + current.type() + ": " + next.description());
            NodePipeline.lookRightAfter(d, now);
        } else if (now.isAfter(run.rebootRequestedAt.plus(current.patience()))) {
            pipeline.fail(d, FailureClass.HARDWARE, "reboot-timeout", "did not come back within "
                    + Durations.format(current.patience()) + " of the " + current.type() + (resets.size() > 1 ? " (after "
                            + resets.stream().map(Upgrader.Reset::type).reduce((a, b) -> a + ", " + b).orElse("") + ")" : ""), now);
        } else {
            pipeline.later(d, now);
        }
    }
}
