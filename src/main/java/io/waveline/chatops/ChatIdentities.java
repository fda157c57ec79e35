package io.waveline.chatops;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.api.Role;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Which chat users may do what: {@code waveline.chatops.users}, a comma-separated list of
 * {@code slack:<team id>/<user id>=<name>:<role>} and {@code mattermost:<user id>=<name>:<role>}, e.g.
 * {@code slack:T1DC2JH3J/U2CERLKJA=alice:approver,mattermost:8x1qbzq3kfrx5e7sd9hb4tzg1w=bob:operator}. A user not
 * listed is refused.
 */
@ApplicationScoped
public class ChatIdentities {

    private static final Pattern ENTRY = Pattern.compile(
            "(slack):([A-Z0-9]{1,20}/[A-Z0-9]{1,20})=([A-Za-z0-9._@-]{1,64}):([a-z]+)|(mattermost):([a-z0-9]{1,64})=([A-Za-z0-9._@-]{1,64}):([a-z]+)");

    @ConfigProperty(name = "waveline.chatops.users")
    Optional<String> configured;

    private final Map<String, ChatUser> users = new LinkedHashMap<>();

    @PostConstruct
    void load() {
        for (String item : configured.orElse("").split(",")) {
            if (item.isBlank()) {
                continue;
            }
            var m = ENTRY.matcher(item.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("waveline.chatops.users: \"" + item.trim() + "\" is neither "
                        + "slack:<TEAM>/<USER>=<name>:<role> nor mattermost:<user id>=<name>:<role>");
            }
            boolean slack = m.group(1) != null;
            String platform = slack ? "slack" : "mattermost";
            String id = slack ? m.group(2) : m.group(6);
            String name = slack ? m.group(3) : m.group(7);
            String roleText = slack ? m.group(4) : m.group(8);
            Role role;
            try {
                role = Role.valueOf(roleText.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("waveline.chatops.users: role \"" + roleText + "\" of " + name
                        + " is not viewer, operator, approver or admin");
            }
            users.put(platform + ":" + id, new ChatUser(platform, id, name, role));
        }
    }

    public Optional<ChatUser> slack(String teamId, String userId) {
        return Optional.ofNullable(users.get("slack:" + teamId + "/" + userId));
    }

    public Optional<ChatUser> mattermost(String userId) {
        return Optional.ofNullable(users.get("mattermost:" + userId));
    }
}
