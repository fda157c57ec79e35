package io.waveline.chatops;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Mattermost signs nothing and {@code user_id} is whatever the token holder sends, so commands can be limited to
 * configured teams and channels: from anywhere else they are refused and nothing runs.
 */
@QuarkusTest
@TestProfile(MattermostScopeTest.OneChannel.class)
class MattermostScopeTest {

    public static class OneChannel implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("waveline.chatops.mattermost.teams", "team-gpu", "waveline.chatops.mattermost.channels", "gpu-ops");
        }
    }

    static io.restassured.response.ValidatableResponse send(Map<String, String> fields) {
        return given().contentType(ChatOpsTest.FORM).header("Authorization", "Token mm-test-token-5c1f")
                .body(ChatOpsTest.form(fields)).when().post("/chatops/mattermost/commands").then().statusCode(200);
    }

    @Test
    void commandsComeOnlyFromTheConfiguredTeamAndChannel() {
        send(Map.of("team_id", "team-gpu", "channel_id", "c1", "channel_name", "gpu-ops", "user_id", "mmcarol", "text", "plans",
                "trigger_id", "mm-scope-1")).body("text", startsWith("Plans:"));
        send(Map.of("team_id", "team-other", "channel_id", "c1", "channel_name", "gpu-ops", "user_id", "mmcarol", "text", "plans",
                "trigger_id", "mm-scope-2")).body("text", equalTo("Waveline does not take commands from this team or channel;"
                        + " ask an admin (waveline.chatops.mattermost.teams, waveline.chatops.mattermost.channels)."));
        send(Map.of("team_id", "team-gpu", "channel_id", "c2", "channel_name", "random", "user_id", "mmcarol", "text", "pause 1",
                "trigger_id", "mm-scope-3")).body("text", startsWith("Waveline does not take commands from this team or channel"));
    }
}
