package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.waveline.sim.SimFleet;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Intent before action: a host action (the install's start, a reset) is committed with its event before it is
 * carried out, so a replica that dies at any moment leaves an audit trail with every action that reached a host, and
 * the replica taking over reconciles what it finds on the host instead of repeating the action. The dying replica is
 * played here by the test: it drives the rollout under its own lease up to a host action, then stops (before acting,
 * or after acting but before confirming), and gives its lease up; this process's engine takes over.
 */
@QuarkusTest
class IntentBeforeActionTest {

    @Inject
    RolloutStore store;

    @Inject
    NodeStepper stepper;

    @Inject
    SimFleet fleet;

    @Inject
    Clock clock;

    @Inject
    EntityManager em;

    @Test
    void anInstallRecordedButNeverCarriedOutIsStartedOnceByTheReplicaTakingOver() {
        String node = "gpu-h100-03";
        int installsBefore = fleet.host(node).installs();
        long id = takenOverAfter(node, "570.124.61", d -> d.hostActions().stream().anyMatch(Decision.StartInstall.class::isInstance),
                false);

        assertThat(fleet.host(node).installs()).as("installs on the host").isEqualTo(installsBefore + 1);
        List<String> started = messages(id, "node.install-started");
        assertThat(started).hasSize(2);
        assertThat(started.get(1)).contains("again: Waveline stopped before it confirmed the first start");
        assertThat(messages(id, "node.install-found")).isEmpty();
    }

    @Test
    void anInstallCarriedOutButNotConfirmedIsFoundOnTheHostAndNotStartedAgain() {
        String node = "gpu-h100-08";
        int installsBefore = fleet.host(node).installs();
        long id = takenOverAfter(node, "570.124.62", d -> d.hostActions().stream().anyMatch(Decision.StartInstall.class::isInstance),
                true);

        assertThat(fleet.host(node).installs()).as("installs on the host").isEqualTo(installsBefore + 1);
        assertThat(messages(id, "node.install-started")).hasSize(1);
        assertThat(messages(id, "node.install-found")).singleElement().asString().contains("on the host after a restart");
    }

    @Test
    void aRebootRecordedButNeverRequestedIsRequestedByTheReplicaTakingOver() {
        String node = "gpu-h100-16";
        long id = takenOverAfter(node, "570.124.63", d -> d.hostActions().stream().anyMatch(Decision.Reset.class::isInstance), false);

        List<String> requested = messages(id, "node.reboot-requested");
        assertThat(requested).hasSize(2);
        assertThat(requested.get(1)).contains("again: Waveline stopped before it confirmed the request, and the node has not rebooted");
        assertThat(messages(id, "node.rebooted")).hasSize(1);
    }

    /**
     * A one-node rollout driven by a dying replica until a decision matches {@code until}: its intent committed, its
     * host actions carried out when {@code act}, never confirmed; then this process's engine takes over and finishes.
     */
    private long takenOverAfter(String node, String version, Predicate<Decision> until, boolean act) {
        DyingReplica dying = new DyingReplica(store, stepper, clock, em)
                .start(ConcurrentStartTestPlans.plan("intent-" + version.replace('.', '-'), node, version));
        dying.driveUntil((action, decided) -> decided != null && until.test(decided), act);
        assertThat(dying.die()).isEqualTo("SUCCEEDED");
        return dying.rollout;
    }

    private List<String> messages(long rollout, String kind) {
        return QuarkusTransaction.requiringNew().call(() -> RolloutEvent.<RolloutEvent>list("rolloutId = ?1 and kind = ?2 order by id",
                rollout, kind).stream().map(e -> e.message).toList());
    }
}
