package io.waveline.chatops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Starting a rollout from Slack, end to end: {@code /waveline start <plan>} is signed, acknowledged at once ("Working
 * on it…"), and the answer arrives on {@code response_url} naming the rollout, which exists and was started by the
 * chat user. The answer is always deferred here (inline budget 0s), the way a slow start is.
 */
@QuarkusTest
@TestProfile(SlackStartTest.Deferred.class)
class SlackStartTest {

    static final Path PLANS = Path.of("target", "chat-plans");

    public static class Deferred implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                Files.createDirectories(PLANS);
                Files.writeString(PLANS.resolve("chat-canary.yaml"), """
                        apiVersion: waveline/v1
                        kind: RolloutPlan
                        metadata:
                          name: chat-canary
                        spec:
                          target:
                            nodes: [gpu-h100-07]
                            components:
                              nvidia-driver: "570.124.80"
                              nvidia-fabricmanager: "570.124.80"
                          waves:
                            - name: canary
                              size: rest
                              approval: required
                        """);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return Map.of("waveline.chatops.slack.inline-budget", "0s", "waveline.plans-dir", PLANS.toString());
        }
    }

    @ConfigProperty(name = "waveline.test.receivers")
    String receivers;

    List<Map<String, Object>> captured(String receiver) {
        return given().when().get(receivers + "/captured/" + receiver).then().statusCode(200).extract().jsonPath().getList("$");
    }

    @Test
    void startFromSlackIsAnsweredOnTheResponseUrlAndTheRolloutRuns() {
        String body = ChatOpsTest.form(Map.of("team_id", "T1DC2JH3J", "user_id", "UALICE", "channel_name", "gpu-ops",
                "command", "/waveline", "text", "start chat-canary", "trigger_id", "trg-start-" + System.nanoTime(),
                "response_url", receivers + "/response"));
        ChatOpsTest.signed("commands", body).statusCode(200)
                .body("text", org.hamcrest.Matchers.equalTo("Working on it…"));

        await().atMost(ChatOpsTest.PATIENCE).untilAsserted(() -> assertThat(captured("response")).hasSize(1));
        String answer = captured("response").get(0).get("text").toString();
        assertThat(answer).startsWith("Rollout ").contains(" of plan chat-canary started by alice")
                .contains("its first wave waits for approval").doesNotContain("could not").doesNotContain("Exception");
        long id = Long.parseLong(answer.replaceAll("^Rollout (\\d+) .*$", "$1").strip());
        Map<String, Object> rollout = given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().statusCode(200).extract().jsonPath().getMap("$");
        assertThat(rollout).containsEntry("plan", "chat-canary").containsEntry("startedBy", "alice")
                .containsEntry("state", "WAITING_APPROVAL");
        given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort").then().statusCode(200);
    }
}
