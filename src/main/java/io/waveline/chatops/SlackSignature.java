package io.waveline.chatops;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Slack's request signing: {@code X-Slack-Signature: v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" +
 * raw body))}, with {@code X-Slack-Request-Timestamp} no more than five minutes from now (a replayed request is
 * refused). Checked over the raw body bytes before anything is decoded; compared in constant time. Pure.
 */
public final class SlackSignature {

    public static final Duration MAX_SKEW = Duration.ofMinutes(5);

    private SlackSignature() {
    }

    /** Empty when the request is Slack's; otherwise why not (for the log, never for the caller). */
    public static Optional<String> problem(String signingSecret, String timestampHeader, String signatureHeader, byte[] rawBody,
            Instant now) {
        if (timestampHeader == null || signatureHeader == null) {
            return Optional.of("missing X-Slack-Request-Timestamp or X-Slack-Signature");
        }
        long timestamp;
        try {
            timestamp = Long.parseLong(timestampHeader.trim());
        } catch (NumberFormatException e) {
            return Optional.of("X-Slack-Request-Timestamp is not a number");
        }
        if (Math.abs(now.getEpochSecond() - timestamp) > MAX_SKEW.getSeconds()) {
            return Optional.of("X-Slack-Request-Timestamp is more than 5 minutes from now (replay?)");
        }
        byte[] expected = sign(signingSecret, timestampHeader.trim(), rawBody).getBytes(StandardCharsets.US_ASCII);
        byte[] presented = signatureHeader.trim().getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, presented) ? Optional.empty() : Optional.of("X-Slack-Signature does not match");
    }

    public static String sign(String signingSecret, String timestamp, byte[] rawBody) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update(("v0:" + timestamp + ":").getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(mac.doFinal(rawBody));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Constant-time comparison of two secrets (Mattermost tokens). */
    public static boolean sameSecret(String expected, String presented) {
        if (expected == null || presented == null) {
            return false;
        }
        return MessageDigest.isEqual(sha256(expected), sha256(presented));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
