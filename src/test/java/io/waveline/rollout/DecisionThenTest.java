package io.waveline.rollout;

import static io.waveline.rollout.NodePipelineTest.NOW;
import static io.waveline.rollout.NodePipelineTest.PIPELINE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.waveline.rollout.port.GpuBaseline;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeOperations;

/**
 * Two decisions of one step committed as one ({@link Decision#then}): what the engine commits and what a lost answer
 * goes back to. The first look of a bare-metal node followed by its install is the case the stepper decides so.
 */
class DecisionThenTest {

    private final NodeRun cordoning = cordoning();

    private static NodeRun cordoning() {
        NodeRun run = NodePipelineTest.run(NodeState.CORDONING);
        run.baselineBootId = null;
        return run;
    }

    private Decision firstLook() {
        Observation.FirstLook look = new Observation.FirstLook(NodePipelineTest.PREVIOUS, new GpuBaseline(List.of(), Map.of(), null), "boot-a");
        return PIPELINE.decide(cordoning, new Observation.Cordoned(Optional.of(look), NodeOperations.Cordon.NOTHING, false), NOW);
    }

    private static Observation.Install notInstalledYet(Map<String, String> installed) {
        return new Observation.Install(JobStatus.notFound(), Optional.of(installed), Optional.of(JobStatus.notFound()), "apt");
    }

    @Test
    void theInstallStartIsCommittedWithTheCordonAndALostStartGoesBackToTheCordonedRun() {
        Decision cordoned = firstLook();
        Decision both = cordoned.then(PIPELINE.decide(cordoned.next(), notInstalledYet(cordoned.next().previousVersions), NOW));

        assertThat(both.events()).extracting(Decision.Event::kind).containsExactly("node.cordoned", "node.install-started");
        assertThat(both.hostActions()).singleElement().isInstanceOf(Decision.StartInstall.class);
        assertThat(both.next().state).isEqualTo(NodeState.UPGRADING);
        assertThat(both.next().pendingAction).isEqualTo("install");
        assertThat(both.documentsChanged()).as("the baseline is written").isTrue();
        assertThat(both.actionsDecidedOn()).as("what a lost start goes back to").isSameAs(cordoned.next());
        assertThat(both.actionsDecidedOn().state).isEqualTo(NodeState.UPGRADING);
        assertThat(both.actionsDecidedOn().baselineBootId).isEqualTo("boot-a");
        assertThat(both.actionsDecidedOn().pendingAction).isNull();
    }

    /**
     * The install's end and the reset: the reboot's intent is committed with {@code node.installed}; a reset whose
     * connection could not be opened goes back to the installed run in REBOOTING, with no reboot asked, so its next
     * attempt reads the boot id and asks for the reboot then, and the install is not looked at again.
     */
    @Test
    void theResetIsCommittedWithTheInstallsEndAndARefusedResetGoesBackToTheInstalledRun() {
        NodeRun installing = NodePipelineTest.run(NodeState.UPGRADING);
        installing.jobId = NodePipeline.installJobId(installing);
        Decision installed = PIPELINE.decide(installing, new Observation.Install(new JobStatus(JobStatus.State.DONE, 0, "Setting up"
                + " nvidia-driver-570 (570.133.20-1) ...\n"), Optional.empty(), Optional.empty(), "apt"), NOW);
        io.waveline.rollout.port.Upgrader.Reset reboot = new io.waveline.rollout.port.Upgrader.Reset("reboot", "rebooting to load the"
                + " driver", java.time.Duration.ofMinutes(15));
        Decision both = installed.then(PIPELINE.decide(installed.next(), new Observation.Boot(List.of(reboot), Optional.of("boot-a")),
                NOW));

        assertThat(both.events()).extracting(Decision.Event::kind).containsExactly("node.installed", "node.reboot-requested");
        assertThat(both.hostActions()).singleElement().isInstanceOf(Decision.Reset.class);
        assertThat(both.next().pendingAction).isEqualTo("reset");
        assertThat(both.next().rebootRequestedAt).isEqualTo(NOW);
        assertThat(both.actionsDecidedOn()).as("what a refused reset goes back to").isSameAs(installed.next());
        assertThat(both.actionsDecidedOn().state).isEqualTo(NodeState.REBOOTING);
        assertThat(both.actionsDecidedOn().rebootRequestedAt).as("no reboot asked yet").isNull();
        assertThat(both.actionsDecidedOn().pendingAction).isNull();
        assertThat(both.actionsDecidedOn().baselineBootId).isEqualTo("boot-a");
    }

    @Test
    void withoutHostActionsNothingIsSetToGoBackTo() {
        Decision cordoned = firstLook();
        Decision both = cordoned.then(PIPELINE.decide(cordoned.next(), notInstalledYet(cordoned.next().targetVersions), NOW));

        assertThat(both.events()).extracting(Decision.Event::kind).containsExactly("node.cordoned", "node.installed");
        assertThat(both.next().state).isEqualTo(NodeState.REBOOTING);
        assertThat(both.hostActions()).isEmpty();
        assertThat(both.actionsDecidedOn()).isNull();
    }
}
