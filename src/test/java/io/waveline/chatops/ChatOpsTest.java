package io.waveline.chatops;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;

/**
 * ChatOps end to end: real HTTP requests signed like Slack's and Mattermost's, against the running application,
 * and the local receivers of {@link NotificationReceivers} for everything Waveline sends out.
 */
@QuarkusTest
@QuarkusTestResource(NotificationReceivers.class)
class ChatOpsTest {

    static final String SECRET = SlackSignatureTest.SECRET;
    static final String FORM = "application/x-www-form-urlencoded";
    static final Duration PATIENCE = Duration.ofSeconds(60);

    @ConfigProperty(name = "waveline.test.receivers")
    String receivers;

    static String form(Map<String, String> fields) {
        StringBuilder body = new StringBuilder();
        fields.forEach((k, v) -> body.append(body.isEmpty() ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return body.toString();
    }

    static String command(String user, String text) {
        return form(Map.of("team_id", "T1DC2JH3J", "user_id", user, "channel_name", "gpu-ops", "command", "/waveline",
                "text", text, "trigger_id", "trg-" + System.nanoTime()));
    }

    static ValidatableResponse slack(String path, String body, Long timestamp, String signature) {
        var request = given().contentType(FORM).body(body);
        if (timestamp != null) {
            request = request.header("X-Slack-Request-Timestamp", timestamp.toString());
        }
        if (signature != null) {
            request = request.header("X-Slack-Signature", signature);
        }
        return request.when().post("/chatops/slack/" + path).then();
    }

    static ValidatableResponse signed(String path, String body) {
        long now = Instant.now().getEpochSecond();
        return slack(path, body, now, SlackSignature.sign(SECRET, Long.toString(now), body.getBytes(StandardCharsets.UTF_8)));
    }

    static int rollouts() {
        return given().when().get("/api/v1/rollouts?limit=500").then().statusCode(200).extract().jsonPath().getList("id").size();
    }

    static JsonPath rollout(long id) {
        return given().when().get("/api/v1/rollouts/" + id + "?nodes=true").then().statusCode(200).extract().jsonPath();
    }

    List<Map<String, Object>> captured(String receiver) {
        return given().when().get(receivers + "/captured/" + receiver).then().statusCode(200).extract().jsonPath().getList("$");
    }

    @Test
    void slacksOwnTestVectorIsAcceptedAtItsTime() {
        QuarkusMock.installMockForType(new ChatOpsClock() {
            @Override
            public Instant now() {
                return Instant.ofEpochSecond(1531420618);
            }
        }, ChatOpsClock.class);
        slack("commands", SlackSignatureTest.BODY, 1531420618L, SlackSignatureTest.SIGNATURE).statusCode(200)
                .body("response_type", equalTo("ephemeral")).body("text", startsWith("Waveline commands:"));
    }

    @Test
    void forgedStaleOrUnsignedRequestsGet401AndChangeNothing() {
        int before = rollouts();
        String start = command("UALICE", "start demo-good-driver");
        long now = Instant.now().getEpochSecond();
        byte[] bytes = start.getBytes(StandardCharsets.UTF_8);
        slack("commands", start, now, "v0=" + "0".repeat(64)).statusCode(401).contentType("application/problem+json");
        slack("commands", start, now, SlackSignature.sign("not-the-secret", Long.toString(now), bytes)).statusCode(401);
        slack("commands", start, now - 301, SlackSignature.sign(SECRET, Long.toString(now - 301), bytes)).statusCode(401);
        slack("commands", start, null, SlackSignature.sign(SECRET, Long.toString(now), bytes)).statusCode(401);
        slack("commands", start, now, null).statusCode(401);
        slack("interactions", "payload=%7B%7D", now, "v0=" + "1".repeat(64)).statusCode(401);
        String mattermost = form(Map.of("user_id", "mmcarol", "text", "start demo-good-driver", "trigger_id", "t1"));
        given().contentType(FORM).header("Authorization", "Token wrong-token").body(mattermost).when()
                .post("/chatops/mattermost/commands").then().statusCode(401);
        given().contentType(FORM).body(mattermost).when().post("/chatops/mattermost/commands").then().statusCode(401);
        assertThat(rollouts()).as("nothing started").isEqualTo(before);
    }

    @Test
    void unknownUsersAndMissingRolesAreRefusedPolitely() {
        int before = rollouts();
        signed("commands", command("UNKNOWN1", "start demo-good-driver")).statusCode(200)
                .body("text", startsWith("Sorry, your Slack user UNKNOWN1 is not known to Waveline"));
        signed("commands", command("U2CERLKJA", "start demo-good-driver")).statusCode(200)
                .body("text", equalTo("Sorry roadrunner, you are viewer in Waveline; this needs operator."));
        signed("commands", command("U2CERLKJA", "deploy everything")).statusCode(200)
                .body("text", startsWith("\"deploy\" is not a command.\n/waveline help"));
        given().contentType(FORM).header("Authorization", "Token mm-test-token-5c1f")
                .body(form(Map.of("user_id", "mmstranger", "user_name", "eve", "text", "status"))).when()
                .post("/chatops/mattermost/commands").then().statusCode(200)
                .body("text", startsWith("Sorry, your Mattermost user eve is not known"));
        assertThat(rollouts()).isEqualTo(before);
    }

    @Test
    void mattermostCommandsRunWithTheUsersRoleAndARedeliveryRunsOnce() {
        String body = form(Map.of("user_id", "mmcarol", "channel_name", "gpu-ops", "text", "plans", "trigger_id", "mm-trigger-1"));
        String first = given().contentType(FORM).header("Authorization", "Token mm-test-token-5c1f").body(body).when()
                .post("/chatops/mattermost/commands").then().statusCode(200).body("response_type", equalTo("ephemeral"))
                .extract().jsonPath().getString("text");
        assertThat(first).startsWith("Plans:").contains("demo-good-driver");
        given().contentType(FORM).body(body + "&token=mm-test-token-5c1f").when().post("/chatops/mattermost/commands")
                .then().statusCode(200).body("text", equalTo(first));
        given().contentType(FORM).header("Authorization", "Token mm-test-token-5c1f")
                .body(form(Map.of("user_id", "mmcarol", "text", "approve 1", "trigger_id", "mm-trigger-2"))).when()
                .post("/chatops/mattermost/commands").then().statusCode(200)
                .body("text", equalTo("Sorry carol, you are operator in Waveline; this needs approver."));
    }

    static String plan(String nodes, String version, boolean twoPerson) {
        return """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: chat-%s
                spec:
                  target:
                    nodes: [%s]
                    components:
                      nvidia-driver: "%s"
                      nvidia-fabricmanager: "%s"
                  waves:
                    - name: canary
                      size: rest
                      approval: %s
                  failurePolicy:
                    onFailure: rollback-wave
                  approvals:
                    twoPersonRule: %s
                """.formatted(version.replace('.', '-'), nodes, version, version, twoPerson ? "required" : "none", twoPerson);
    }

    static long startAs(String actor, String yaml) {
        return given().contentType(ContentType.JSON).header("X-Waveline-Actor", actor).body(Map.of("planYaml", yaml))
                .when().post("/api/v1/rollouts").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    /** A click on a button whose value is {@code value}, as Slack sends it: its own trigger_id and action_ts. */
    static String click(String user, String action, String value, String responseUrl) {
        long now = System.nanoTime();
        String payload = "{\"type\":\"block_actions\",\"trigger_id\":\"trg-" + now + "\",\"user\":{\"id\":\"" + user
                + "\",\"team_id\":\"T1DC2JH3J\"},\"channel\":{\"id\":\"C1\",\"name\":\"gpu-ops\"},\"response_url\":\""
                + responseUrl + "\",\"actions\":[{\"action_id\":\"" + action + "\",\"block_id\":\"waveline-approval\",\"value\":\""
                + value + "\",\"action_ts\":\"" + (now / 1000) + ".000100\"}]}";
        return form(Map.of("payload", payload));
    }

    /** The value of the Approve button on the newest approval message of a rollout. */
    @SuppressWarnings("unchecked")
    String approveButton(long id) {
        return captured("slack").stream().filter(m -> m.get("text").toString().startsWith("Rollout " + id + " ")
                && m.get("blocks") != null).flatMap(m -> ((List<Map<String, Object>>) m.get("blocks")).stream())
                .filter(b -> "actions".equals(b.get("type"))).flatMap(b -> ((List<Map<String, Object>>) b.get("elements")).stream())
                .filter(e -> "approve".equals(e.get("action_id"))).map(e -> e.get("value").toString()).reduce((a, b) -> b)
                .orElseThrow();
    }

    @Test
    void approvalButtonsAdvanceTheWaveButNotForTheRolloutsStarter() {
        long id = startAs("alice", plan("gpu-a100-04", "570.133.20", true));
        assertThat(rollout(id).getString("state")).isEqualTo("WAITING_APPROVAL");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(captured("slack")).anySatisfy(m -> {
            assertThat(m.get("text").toString()).startsWith("Rollout " + id + " (chat-570-133-20): wave waits for approval");
            assertThat(m.get("blocks").toString()).contains("action_id=approve").contains("value=" + id).contains("action_id=abort");
        }));

        String responseUrl = receivers + "/response";
        signed("interactions", click("UALICE", "approve", approveButton(id), responseUrl)).statusCode(200);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(captured("response")).anySatisfy(m ->
                assertThat(m.get("text").toString()).startsWith("Not done: the plan asks for two people: alice started rollout " + id)));
        assertThat(rollout(id).getString("state")).isEqualTo("WAITING_APPROVAL");

        signed("interactions", click("UBOB", "approve", approveButton(id), responseUrl)).statusCode(200);
        await().atMost(PATIENCE).until(() -> rollout(id).getString("state").equals("SUCCEEDED"));
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(captured("response")).anySatisfy(m -> {
            assertThat(m.get("replace_original")).isEqualTo(true);
            assertThat(m.get("text").toString()).isEqualTo("Rollout " + id + " (chat-570-133-20): wave 1 approved by bob.");
        }));
        List<Map<String, Object>> events = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath().getList("$");
        assertThat(events).anySatisfy(e -> {
            assertThat(e.get("kind")).isEqualTo("wave.approved");
            assertThat(e.get("actor")).isEqualTo("bob");
        }).anySatisfy(e -> {
            assertThat(e.get("kind")).isEqualTo("chat.command");
            assertThat(e.get("actor")).isEqualTo("alice");
            assertThat(e.get("message").toString()).startsWith("/waveline approve " + id + " (refused: the plan asks for two people");
        });
    }

    @Test
    void aFailedRolloutIsAnnouncedEverywhereAndADeadReceiverDelaysNothing() {
        long id = startAs("alice", plan("gpu-a100-05", "575.51.02", false));
        await().atMost(PATIENCE).until(() -> List.of("ROLLED_BACK", "FAILED", "SUCCEEDED").contains(rollout(id).getString("state")));
        assertThat(rollout(id).getString("state")).isEqualTo("ROLLED_BACK");
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<Map<String, Object>> mine = captured("good").stream()
                    .filter(m -> ((Number) m.get("rolloutId")).longValue() == id).toList();
            assertThat(mine).extracting(m -> m.get("kind")).containsSubsequence("rollout.started", "node.failed",
                    "rollout.halted", "node.rollback-started", "rollout.rolled-back");
            assertThat(mine).filteredOn(m -> m.get("kind").equals("node.failed")).first().satisfies(m -> {
                assertThat(m.get("node")).isEqualTo("gpu-a100-05");
                assertThat(m.get("detail").toString()).isEqualTo(
                        "gpu-a100-05: gpu-inventory: GPU 7 (00000000:DB:00.0) missing: 7 of 8 GPUs after the upgrade");
            });
        });
        await().atMost(PATIENCE).untilAsserted(() -> {
            assertThat(captured("slack")).anySatisfy(m -> assertThat(m.get("text").toString())
                    .startsWith("Rollout " + id + " (chat-575-51-02): rollback finished"));
            assertThat(captured("mattermost")).anySatisfy(m -> assertThat(m.get("text").toString())
                    .startsWith("**Rollout " + id + "** (`chat-575-51-02`): node failed"));
        });
        int holding = Integer.parseInt(given().when().get(receivers + "/hanging").then().extract().asString());
        assertThat(holding).as("the dead receiver got requests and answered none, yet the rollout finished").isPositive();
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(given().when().get("/api/v1/notifications").then().statusCode(200)
                .extract().jsonPath().getList("findAll { it.sink.endsWith('fail') }.failed", Integer.class))
                .singleElement().satisfies(failed -> assertThat(failed).isPositive()));
    }

    @jakarta.inject.Inject
    jakarta.persistence.EntityManager em;

    @jakarta.inject.Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    /**
     * At least once: a notification is in the outbox from the moment its event is taken until its sink answered. One
     * left there by a replica that died mid-send (claimed, tried once) is sent once the claim ran out, and then leaves.
     */
    @Test
    void aNotificationLeftByAReplicaThatDiedMidSendIsSent() throws Exception {
        String sink = given().when().get("/api/v1/notifications").then().statusCode(200).extract().jsonPath()
                .getList("findAll { it.sink.endsWith('good') }.sink", String.class).get(0);
        long eventId = 987_654_321L;
        String body = json.writeValueAsString(new io.waveline.notify.Notification(eventId, "rollout.halted", 424_242, "outbox-test",
                java.util.Optional.empty(), "rollout halted", "left behind by a replica that died mid-send", false, Instant.now()));
        io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("insert into notification_outbox"
                + " (sink, event_id, notification, attempts, claimed_until) values (?1, ?2, cast(?3 as jsonb), 1, now() - interval '1 second')")
                .setParameter(1, sink).setParameter(2, eventId).setParameter(3, body).executeUpdate());

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(captured("good")).filteredOn(m -> m.get("eventId") != null
                && ((Number) m.get("eventId")).longValue() == eventId).singleElement()
                .satisfies(m -> assertThat(m.get("detail")).isEqualTo("left behind by a replica that died mid-send")));
        await().atMost(PATIENCE).until(() -> io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> em
                .createNativeQuery("select count(*) from notification_outbox where event_id = ?1").setParameter(1, eventId)
                .getSingleResult()).toString().equals("0"));
    }

    @Test
    void aReplayedOrStaleApproveClickApprovesNothing() {
        String yaml = """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: chat-two-approvals
                spec:
                  target:
                    nodes: [gpu-h100-05, gpu-h100-06]
                    components:
                      nvidia-driver: "570.124.70"
                      nvidia-fabricmanager: "570.124.70"
                  waves:
                    - name: first
                      size: 1
                      approval: required
                    - name: second
                      size: rest
                      approval: required
                """;
        long id = startAs("alice", yaml);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(captured("slack")).anySatisfy(m ->
                assertThat(m.get("text").toString()).startsWith("Rollout " + id + " (chat-two-approvals): wave waits for approval")));
        String firstApproval = approveButton(id);
        assertThat(firstApproval).startsWith(id + ":");
        String clickBody = click("UBOB", "approve", firstApproval, receivers + "/response");
        signed("interactions", clickBody).statusCode(200);
        await().atMost(PATIENCE).until(() -> rollout(id).getInt("currentWave") == 1
                && rollout(id).getString("state").equals("WAITING_APPROVAL"));

        signed("interactions", clickBody).statusCode(200);
        signed("interactions", click("UBOB", "approve", firstApproval, receivers + "/response")).statusCode(200);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(captured("response")).anySatisfy(m -> assertThat(m.get("text").toString())
                .startsWith("Not done: this button answered an earlier approval of rollout " + id)));
        assertThat(rollout(id).getString("state")).as("the second wave still waits").isEqualTo("WAITING_APPROVAL");
        assertThat(rollout(id).getInt("currentWave")).isEqualTo(1);
        List<Map<String, Object>> approvals = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath()
                .getList("findAll { it.kind == 'wave.approved' }");
        assertThat(approvals).hasSize(1);

        String replayedCommand = command("UBOB", "approve " + id);
        signed("commands", replayedCommand).statusCode(200);
        signed("commands", replayedCommand).statusCode(200).body("text", org.hamcrest.Matchers.containsString("received already"));
        given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort").then().statusCode(200);
    }

    @Test
    void aMattermostCommandReplayedWithoutTriggerIdRunsOnce() {
        long id = startAs("alice", plan("gpu-h100-11", "570.124.71", true));
        String pause = form(Map.of("user_id", "mmcarol", "channel_name", "gpu-ops", "text", "pause " + id));
        given().contentType(FORM).header("Authorization", "Token mm-test-token-5c1f").body(pause).when()
                .post("/chatops/mattermost/commands").then().statusCode(200)
                .body("text", equalTo("Rollout " + id + " (chat-570-124-71): paused by carol."));
        given().contentType(FORM).header("Authorization", "Token mm-test-token-5c1f").body(pause).when()
                .post("/chatops/mattermost/commands").then().statusCode(200)
                .body("text", equalTo("This command was received already; it is not run again."));
        List<String> kinds = given().when().get("/api/v1/rollouts/" + id + "/events").then().extract().jsonPath().getList("kind");
        assertThat(kinds).containsOnlyOnce("rollout.paused");
        given().header("X-Waveline-Actor", "alice").when().post("/api/v1/rollouts/" + id + "/abort").then().statusCode(200);
    }
}
