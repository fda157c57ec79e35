package io.waveline.chatops;

import io.waveline.api.Role;

/**
 * A chat user known to Waveline: the platform and its user id ({@code slack} with {@code TEAM/USER}, or
 * {@code mattermost} with the user id), the Waveline name that appears as actor in events (the same name as in
 * {@code waveline.auth.tokens}, so the two-person rule holds across API and chat), and the role.
 */
public record ChatUser(String platform, String chatId, String name, Role role) {
}
