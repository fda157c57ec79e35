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
     * Starts a one-node rollout waiting for approval, takes its lease as replica "dying", approves it and drives it as
     * that replica until a decision matches {@code until}: commits it (the intent), carries its host actions out when
     * {@code act}, and stops without confirming. Then gives the lease up and waits until this process's engine
     * finishes the rollout. Answers the rollout's id.
     */
    private long takenOverAfter(String node, String version, Predicate<Decision> until, boolean act) {
        String plan = ConcurrentStartTest.plan("intent-" + version.replace('.', '-'), node).replace("570.124.90", version);
        long id = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_APPROVAL".equals(state(id)));
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update engine_lease set owner = 'dying',"
                + " epoch = nextval('engine_lease_epoch'), expires_at = now() + interval '1 hour' where rollout_id = ?1")
                .setParameter(1, id).executeUpdate());
        Lease dying = store.lease(id, "dying", Duration.ofHours(1)).orElseThrow();
        given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/approve").then().statusCode(200);

        boolean stopped = false;
        for (int round = 0; round < 200 && !stopped; round++) {
            List<Action> actions = RolloutDecider.decide(store.snapshot(id).orElseThrow(), clock.instant());
            List<Action> rolloutLevel = actions.stream().filter(a -> !(a instanceof Action.StepNode) && !(a instanceof Action.CheckWave))
                    .toList();
            if (!rolloutLevel.isEmpty()) {
                assertThat(store.apply(dying, rolloutLevel, clock.instant())).isTrue();
            }
            for (Action action : actions) {
                if (action instanceof Action.StepNode step) {
                    NodeRun run = store.detached(step.nodeRunId());
                    Decision decided = stepper.step(run, clock.instant());
                    long committed = store.commitStep(decided, dying, clock.instant()).orElseThrow();
                    if (until.test(decided)) {
                        if (act) {
                            stepper.act(run, decided, committed, clock.instant()); // carried out, never confirmed
                        }
                        stopped = true;
                    } else if (!decided.hostActions().isEmpty()) {
                        store.commitStep(stepper.act(run, decided, committed, clock.instant()), dying, clock.instant()).orElseThrow();
                    }
                }
            }
        }
        assertThat(stopped).as("the dying replica reached the host action").isTrue();
        store.release("dying");

        await().atMost(Duration.ofSeconds(60)).until(() -> "SUCCEEDED".equals(state(id)));
        return id;
    }

    private static String state(long id) {
        return given().when().get("/api/v1/rollouts/" + id).then().extract().path("state");
    }

    private List<String> messages(long rollout, String kind) {
        return QuarkusTransaction.requiringNew().call(() -> RolloutEvent.<RolloutEvent>list("rolloutId = ?1 and kind = ?2 order by id",
                rollout, kind).stream().map(e -> e.message).toList());
    }
}
