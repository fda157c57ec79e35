package io.waveline.chatops;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;

import io.waveline.api.ProblemException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Mattermost's slash command endpoint. Mattermost signs nothing: the command's token ({@code Authorization: Token
 * <token>}, or the {@code token} field) is compared in constant time with {@code waveline.chatops.mattermost.token};
 * a wrong or missing one gets 401 and changes nothing. A command redelivered with the same {@code trigger_id} gets
 * the first answer again instead of running twice.
 */
@jakarta.annotation.security.PermitAll
@Path("/chatops/mattermost")
@Tag(name = "ChatOps")
public class MattermostResource {

    private static final Logger LOG = Logger.getLogger(MattermostResource.class);
    private static final int REMEMBERED = 500;

    @ConfigProperty(name = "waveline.chatops.mattermost.token")
    Optional<String> token;

    @Inject
    ChatIdentities identities;

    @Inject
    ChatCommandHandler handler;

    @Inject
    ChatDeliveries deliveries;

    /** The teams (ids) commands are taken from; empty: any team the slash command is installed in. */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.chatops.mattermost.teams")
    java.util.Optional<java.util.List<String>> teams;

    /** The channels (ids or names) commands are taken from; empty: any channel. */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.chatops.mattermost.channels")
    java.util.Optional<java.util.List<String>> channels;

    private static byte[] sha256(byte[] body) {
        try {
            return java.security.MessageDigest.getInstance("SHA-256").digest(body == null ? new byte[0] : body);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private final Map<String, Map<String, Object>> answered = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Map<String, Object>> eldest) {
                    return size() > REMEMBERED;
                }
            });

    @POST
    @io.waveline.api.BodyLimit(io.waveline.api.BodyLimit.CHAT)
    @Path("/commands")
    @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Mattermost slash command (/waveline …), authenticated by the command's token")
    public Map<String, Object> command(byte[] body, @HeaderParam("Authorization") String authorization) {
        if (token.isEmpty() || token.get().isBlank()) {
            throw new ProblemException(404, "Mattermost is not configured", "set waveline.chatops.mattermost.token to the"
                    + " slash command's token");
        }
        Map<String, String> form = FormBody.parse(body == null ? new byte[0] : body);
        String presented = authorization != null && authorization.startsWith("Token ") ? authorization.substring(6).trim()
                : form.get("token");
        if (!SlackSignature.sameSecret(token.get(), presented)) {
            LOG.warn("Refused a Mattermost request: wrong or missing token");
            throw new ProblemException(401, "Unauthorized", "the slash command token does not match");
        }
        String team = form.getOrDefault("team_id", "");
        String channelId = form.getOrDefault("channel_id", "");
        String channelName = form.getOrDefault("channel_name", "");
        if (teams.filter(t -> !t.contains(team)).isPresent()
                || channels.filter(c -> !c.contains(channelId) && !c.contains(channelName)).isPresent()) {
            LOG.warnf("Refused a Mattermost command from team %s, channel %s (%s): not in waveline.chatops.mattermost.teams/channels",
                    team, channelId, channelName);
            return Map.of("response_type", "ephemeral", "text", "Waveline does not take commands from this team or channel;"
                    + " ask an admin (waveline.chatops.mattermost.teams, waveline.chatops.mattermost.channels).");
        }
        String trigger = form.getOrDefault("trigger_id", "");
        if (!trigger.isBlank() && answered.containsKey(trigger)) {
            return answered.get(trigger);
        }
        ChatCommand command = ChatCommand.parse(form.get("text"));
        if (ChatCommand.changesState(command) && !deliveries.firstTime("mattermost:" + (trigger.isBlank() || trigger.length() > 150
                ? "body:" + java.util.HexFormat.of().formatHex(sha256(body)) : trigger))) {
            LOG.warnf("Refused a replayed Mattermost command%s", trigger.isBlank() ? " (same body, no trigger_id)" : " (trigger_id " + trigger + ")");
            return Map.of("response_type", "ephemeral", "text", "This command was received already; it is not run again.");
        }
        Optional<ChatUser> user = identities.mattermost(form.getOrDefault("user_id", ""));
        Map<String, Object> answer;
        if (user.isEmpty()) {
            answer = Map.of("response_type", "ephemeral", "text", "Sorry, your Mattermost user "
                    + form.getOrDefault("user_name", form.getOrDefault("user_id", "?")) + " is not known to Waveline; ask an"
                    + " admin to map it to a role (waveline.chatops.users).");
        } else {
            String where = "mattermost ~" + form.getOrDefault("channel_name", form.getOrDefault("channel_id", "?"));
            ChatReply reply = handler.handle(command, user.get(), where,
                    trigger.isBlank() || trigger.length() > 100 ? Optional.empty() : Optional.of("mattermost:" + trigger));
            answer = Map.of("response_type", reply.inChannel() ? "in_channel" : "ephemeral", "text", reply.text());
        }
        if (!trigger.isBlank()) {
            answered.put(trigger, answer);
        }
        return answer;
    }
}
