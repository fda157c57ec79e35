package io.waveline.chatops;

/** What Waveline answers a chat command: the text, and whether the channel sees it or only the caller. */
public record ChatReply(String text, boolean inChannel) {

    public static ChatReply toCaller(String text) {
        return new ChatReply(text, false);
    }

    public static ChatReply toChannel(String text) {
        return new ChatReply(text, true);
    }
}
