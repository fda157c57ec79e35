package io.waveline.chatops;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.waveline.api.ProblemException;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * Slack's slash command and interactivity endpoints. Every request is verified ({@link SlackSignature}) over the raw
 * body before anything is decoded: a missing, forged or stale signature gets 401 and changes nothing. A command is
 * answered within Slack's 3 seconds: inline when it is done in {@code waveline.chatops.slack.inline-budget} (2s), else "working on it" and
 * the answer follows on {@code response_url}. Button clicks (Approve / Abort on approval messages) are applied and
 * the message is replaced to show who decided.
 */
@jakarta.annotation.security.PermitAll
@Path("/chatops/slack")
@Tag(name = "ChatOps")
public class SlackResource {

    private static final Logger LOG = Logger.getLogger(SlackResource.class);
    /** How long a command may take to be answered inline, within Slack's 3 seconds; later answers go to response_url. */
    @ConfigProperty(name = "waveline.chatops.slack.inline-budget", defaultValue = "2s")
    java.time.Duration inlineBudget;

    @ConfigProperty(name = "waveline.chatops.slack.signing-secret")
    Optional<String> signingSecret;

    @Inject
    ChatIdentities identities;

    @Inject
    ChatCommandHandler handler;

    @Inject
    ChatOpsClock clock;

    @Inject
    ResponseUrl responses;

    @Inject
    ChatDeliveries deliveries;

    @Inject
    ObjectMapper json;

    private final ExecutorService work = Executors.newFixedThreadPool(2, r -> new Thread(r, "chatops-slack"));

    @PreDestroy
    void stop() {
        work.shutdownNow();
    }

    @POST
    @io.waveline.api.BodyLimit(io.waveline.api.BodyLimit.CHAT)
    @Path("/commands")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Slack slash command (/waveline …), signed with the app's signing secret")
    public Response command(byte[] body, @HeaderParam("X-Slack-Request-Timestamp") String timestamp,
            @HeaderParam("X-Slack-Signature") String signature) {
        verify(body, timestamp, signature);
        Map<String, String> form = FormBody.parse(body);
        Optional<ChatUser> user = identities.slack(form.getOrDefault("team_id", ""), form.getOrDefault("user_id", ""));
        if (user.isEmpty()) {
            return ephemeral("Sorry, your Slack user " + form.getOrDefault("user_id", "?") + " is not known to Waveline;"
                    + " ask an admin to map it to a role (waveline.chatops.users).");
        }
        ChatCommand command = ChatCommand.parse(form.get("text"));
        if (ChatCommand.changesState(command)) {
            String trigger = form.getOrDefault("trigger_id", "");
            if (trigger.isBlank() || trigger.length() > 150) {
                throw ProblemException.badRequest("a slash command that changes a rollout needs its trigger_id");
            }
            if (!deliveries.firstTime("slack:" + trigger)) {
                LOG.warnf("Refused a replayed Slack command (trigger_id %s)", trigger);
                return ephemeral("This command was received already (trigger_id " + trigger + "); it is not run again.");
            }
        }
        String where = "slack #" + form.getOrDefault("channel_name", form.getOrDefault("channel_id", "?"));
        Optional<String> key = Optional.ofNullable(form.get("trigger_id")).filter(t -> !t.isBlank() && t.length() < 100)
                .map(t -> "slack:" + t);
        CompletableFuture<ChatReply> reply = CompletableFuture.supplyAsync(() -> handler.handle(command, user.get(), where, key), work);
        try {
            return message(reply.get(inlineBudget.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            String url = form.get("response_url");
            reply.whenComplete((r, failure) -> {
                if (failure != null) {
                    LOG.error("Slack command failed", failure);
                }
                responses.post(url, failure == null ? slackMessage(r) : Map.of("response_type", "ephemeral", "text",
                        "Waveline could not do that (see its log): " + failure.getClass().getSimpleName()));
            });
            return ephemeral("Working on it…");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ephemeral("Interrupted; try again.");
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.error("Slack command failed", e.getCause());
            return ephemeral("Waveline could not do that: " + e.getCause());
        }
    }

    @POST
    @io.waveline.api.BodyLimit(io.waveline.api.BodyLimit.CHAT)
    @Path("/interactions")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Slack interactivity (Approve / Abort buttons of approval messages), signed like commands")
    public Response interaction(byte[] body, @HeaderParam("X-Slack-Request-Timestamp") String timestamp,
            @HeaderParam("X-Slack-Signature") String signature) {
        verify(body, timestamp, signature);
        JsonNode payload;
        try {
            payload = json.readTree(FormBody.parse(body).getOrDefault("payload", ""));
        } catch (Exception e) {
            throw ProblemException.badRequest("the payload field is not JSON");
        }
        if (payload == null || !"block_actions".equals(payload.path("type").asText())
                || !payload.path("actions").isArray() || payload.path("actions").isEmpty()) {
            throw ProblemException.badRequest("expected a block_actions payload with one action");
        }
        JsonNode action = payload.path("actions").get(0);
        String userId = payload.path("user").path("id").asText("");
        String teamId = payload.path("user").path("team_id").asText(payload.path("team").path("id").asText(""));
        String url = payload.path("response_url").asText(null);
        Optional<ChatUser> user = identities.slack(teamId, userId);
        if (user.isEmpty()) {
            responses.post(url, Map.of("response_type", "ephemeral", "replace_original", false, "text",
                    "Sorry, your Slack user " + userId + " is not known to Waveline."));
            return Response.ok().build();
        }
        String trigger = payload.path("trigger_id").asText("");
        String actionTs = action.path("action_ts").asText("");
        if (trigger.isBlank() || actionTs.isBlank() || trigger.length() > 150 || actionTs.length() > 40) {
            throw ProblemException.badRequest("a button click needs its trigger_id and action_ts");
        }
        if (!deliveries.firstTime("slack-action:" + trigger + ":" + actionTs)) {
            LOG.warnf("Refused a replayed Slack button click (trigger_id %s, action_ts %s)", trigger, actionTs);
            return Response.ok().build();
        }
        ChatCommand command = button(action.path("action_id").asText(""), action.path("value").asText(""));
        String where = "slack button in #" + payload.path("channel").path("name").asText(payload.path("channel").path("id").asText("?"));
        work.submit(() -> {
            ChatReply reply = handler.handle(command, user.get(), where, Optional.empty());
            boolean applied = reply.inChannel();
            responses.post(url, applied ? Map.of("replace_original", true, "text", reply.text(), "blocks", List.of(
                    Map.of("type", "section", "text", Map.of("type", "mrkdwn", "text", reply.text()))))
                    : Map.of("response_type", "ephemeral", "replace_original", false, "text", reply.text()));
        });
        return Response.ok().build();
    }

    /**
     * The command a button stands for: Approve carries {@code <rollout>:<approval request event>} and approves that
     * request only; Abort carries the rollout (or the same pair).
     */
    static ChatCommand button(String actionId, String value) {
        java.util.regex.Matcher pair = java.util.regex.Pattern.compile("([0-9]{1,18}):([0-9]{1,18})").matcher(value);
        if ("approve".equals(actionId)) {
            return pair.matches() ? new ChatCommand.ApproveRequest(Long.parseLong(pair.group(1)), Long.parseLong(pair.group(2)))
                    : new ChatCommand.Usage("this Approve button names no approval request (an older message?); use /waveline"
                            + " approve <rollout>");
        }
        if ("abort".equals(actionId)) {
            return ChatCommand.parse("abort " + (pair.matches() ? pair.group(1) : value));
        }
        return new ChatCommand.Usage("unknown button " + actionId);
    }

    private void verify(byte[] body, String timestamp, String signature) {
        if (signingSecret.isEmpty() || signingSecret.get().isBlank()) {
            throw new ProblemException(404, "Slack is not configured", "set waveline.chatops.slack.signing-secret to the"
                    + " app's signing secret");
        }
        Optional<String> problem = SlackSignature.problem(signingSecret.get(), timestamp, signature, body == null ? new byte[0] : body,
                clock.now());
        if (problem.isPresent()) {
            LOG.warnf("Refused a Slack request: %s", problem.get());
            throw new ProblemException(401, "Unauthorized", "the request is not signed by Slack with this app's signing secret,"
                    + " or its timestamp is too old");
        }
    }

    static Map<String, Object> slackMessage(ChatReply reply) {
        Map<String, Object> message = new LinkedHashMap<>();
        message.put("response_type", reply.inChannel() ? "in_channel" : "ephemeral");
        message.put("text", reply.text());
        return message;
    }

    private static Response message(ChatReply reply) {
        return Response.ok(slackMessage(reply)).build();
    }

    private static Response ephemeral(String text) {
        return message(ChatReply.toCaller(text));
    }
}
