package io.waveline.chatops;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class SlackSignatureTest {

    /** Slack's own documented example (shared/reference/chatops.md). */
    static final String SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
    static final String TIMESTAMP = "1531420618";
    static final String BODY = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
            + "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url="
            + "https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
            + "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    static final String SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    @Test
    void slacksTestVectorVerifies() {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        assertThat(SlackSignature.sign(SECRET, TIMESTAMP, body)).isEqualTo(SIGNATURE);
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, SIGNATURE, body, Instant.ofEpochSecond(1531420618 + 299))).isEmpty();
    }

    @Test
    void forgedStaleAndMissingAreRefused() {
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        Instant then = Instant.ofEpochSecond(1531420618);
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, SIGNATURE.replace("a2114", "a2115"), body, then))
                .contains("X-Slack-Signature does not match");
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, SIGNATURE, BODY.replace("text=", "text=start+x").getBytes(), then))
                .as("a changed body").isPresent();
        assertThat(SlackSignature.problem("another-secret", TIMESTAMP, SIGNATURE, body, then)).isPresent();
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, SIGNATURE, body, then.plusSeconds(301))).get().asString()
                .contains("more than 5 minutes");
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, SIGNATURE, body, then.minusSeconds(301))).isPresent();
        assertThat(SlackSignature.problem(SECRET, null, SIGNATURE, body, then)).get().asString().contains("missing");
        assertThat(SlackSignature.problem(SECRET, TIMESTAMP, null, body, then)).isPresent();
        assertThat(SlackSignature.problem(SECRET, "yesterday", SIGNATURE, body, then)).get().asString().contains("not a number");
    }

    @Test
    void mattermostTokensCompareWholly() {
        assertThat(SlackSignature.sameSecret("abc123", "abc123")).isTrue();
        assertThat(SlackSignature.sameSecret("abc123", "abc12")).isFalse();
        assertThat(SlackSignature.sameSecret("abc123", null)).isFalse();
    }

    @Test
    void commandsAreParsedStrictly() {
        assertThat(ChatCommand.parse("")).isEqualTo(new ChatCommand.Help());
        assertThat(ChatCommand.parse("  start   h100-driver-570 ")).isEqualTo(new ChatCommand.Start("h100-driver-570"));
        assertThat(ChatCommand.parse("APPROVE 12")).isEqualTo(new ChatCommand.Act(ChatCommand.Verb.APPROVE, 12));
        assertThat(ChatCommand.parse("status")).isEqualTo(new ChatCommand.Status(0));
        assertThat(ChatCommand.parse("status 7")).isEqualTo(new ChatCommand.Status(7));
        assertThat(ChatCommand.parse("approve twelve")).isEqualTo(new ChatCommand.Usage("\"twelve\" is not a rollout id (a number, e.g. 12)"));
        assertThat(ChatCommand.parse("approve 0")).isInstanceOf(ChatCommand.Usage.class);
        assertThat(ChatCommand.parse("start")).isEqualTo(new ChatCommand.Usage("start takes one argument, not 0"));
        assertThat(ChatCommand.parse("start a b")).isEqualTo(new ChatCommand.Usage("start takes one argument, not 2"));
        assertThat(ChatCommand.parse("start $(reboot)")).isEqualTo(new ChatCommand.Usage(
                "\"$(reboot)\" is not a plan name (letters, digits, . _ -)"));
        assertThat(ChatCommand.parse("deploy everything")).isEqualTo(new ChatCommand.Usage("\"deploy\" is not a command"));
        assertThat(ChatCommand.parse("plans please")).isEqualTo(new ChatCommand.Usage("plans takes no argument, not 1"));
    }
}
