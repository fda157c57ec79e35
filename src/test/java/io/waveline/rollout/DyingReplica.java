package io.waveline.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.restassured.http.ContentType;
import jakarta.persistence.EntityManager;

/**
 * A replica that dies, played by a test inside the test's own service: it takes a rollout's lease (the test
 * process's engine then leaves the rollout alone), drives it as the engine would, and stops where the test says,
 * leaving the state a crash there leaves; {@link #die} gives the lease up so the real engine takes over.
 */
final class DyingReplica {

    static final String NAME = "dying";

    final RolloutStore store;
    final NodeStepper stepper;
    final Clock clock;
    final EntityManager em;
    long rollout;
    Lease lease;

    DyingReplica(RolloutStore store, NodeStepper stepper, Clock clock, EntityManager em) {
        this.store = store;
        this.stepper = stepper;
        this.clock = clock;
        this.em = em;
    }

    /** Starts the plan (its first wave must wait for approval), takes the rollout's lease, approves it. */
    DyingReplica start(String plan) {
        rollout = given().contentType(ContentType.JSON).header("X-Waveline-Actor", "alice").body(Map.of("planYaml", plan))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
        await().atMost(Duration.ofSeconds(30)).until(() -> "WAITING_APPROVAL".equals(state(rollout)));
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("update engine_lease set owner = ?2,"
                + " epoch = nextval('engine_lease_epoch'), expires_at = now() + interval '1 hour' where rollout_id = ?1")
                .setParameter(1, rollout).setParameter(2, NAME).executeUpdate());
        lease = store.lease(rollout, NAME, Duration.ofHours(1)).orElseThrow();
        given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + rollout + "/approve").then().statusCode(200);
        return this;
    }

    /**
     * Drives the rollout round by round; before each action {@code stopBefore} is asked, with the step's decision for a
     * node step (null otherwise): true stops there (for a node step, after its intent is committed). Host actions are
     * carried out and confirmed, unless the step stopped. Answers the action it stopped at.
     */
    Action driveUntil(BiPredicate<Action, Decision> stopBefore, boolean actOnStop) {
        for (int round = 0; round < 300; round++) {
            List<Action> actions = RolloutDecider.decide(store.snapshot(rollout).orElseThrow(), clock.instant());
            for (Action action : actions) {
                if (action instanceof Action.CheckWave && stopBefore.test(action, null)) {
                    return action;
                }
            }
            List<Action> rolloutLevel = actions.stream().filter(a -> !(a instanceof Action.StepNode) && !(a instanceof Action.CheckWave))
                    .toList();
            if (!rolloutLevel.isEmpty()) {
                assertThat(store.apply(lease, rolloutLevel, clock.instant())).isTrue();
            }
            for (Action action : actions) {
                if (action instanceof Action.StepNode step) {
                    NodeRun run = store.detached(step.nodeRunId());
                    Decision decided = stepper.step(run, clock.instant());
                    long committed = store.commitStep(decided, lease, clock.instant()).orElseThrow();
                    if (stopBefore.test(action, decided)) {
                        if (actOnStop) {
                            stepper.act(run, decided, committed, clock.instant()); // carried out, never confirmed
                        }
                        return action;
                    }
                    if (!decided.hostActions().isEmpty()) {
                        store.commitStep(stepper.act(run, decided, committed, clock.instant()), lease, clock.instant()).orElseThrow();
                    }
                }
            }
        }
        throw new AssertionError("the dying replica never reached where it was to stop");
    }

    /** Gives the lease up and waits until this process's engine finished the rollout; answers its final state. */
    String die() {
        store.release(NAME);
        await().atMost(Duration.ofSeconds(60)).until(() -> List.of("SUCCEEDED", "FAILED", "ROLLED_BACK").contains(state(rollout)));
        return state(rollout);
    }

    static String state(long id) {
        return given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().extract().path("state");
    }
}
