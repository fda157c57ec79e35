package io.waveline.rollout.port;

import java.util.Map;

/**
 * One check's verdict on one node: a status, a one-line summary a human understands, key figures, the raw output
 * (bounded), and for a failure what it says about the cause.
 */
public record CheckOutcome(String check, CheckStatus status, String summary, Cause cause, Map<String, Object> figures,
        String rawOutput) {

    /** What a failure points at, for the triage. */
    public enum Cause {
        NONE, DRIVER, HARDWARE, NVML_MISMATCH
    }

    public static final int MAX_RAW_CHARS = 16 * 1024;

    public CheckOutcome {
        rawOutput = rawOutput == null ? "" : rawOutput.length() > MAX_RAW_CHARS ? rawOutput.substring(0, MAX_RAW_CHARS) : rawOutput;
    }

    public static CheckOutcome pass(String check, String summary, Map<String, Object> figures, String raw) {
        return new CheckOutcome(check, CheckStatus.PASS, summary, Cause.NONE, figures, raw);
    }

    public static CheckOutcome fail(String check, Cause cause, String summary, Map<String, Object> figures, String raw) {
        return new CheckOutcome(check, CheckStatus.FAIL, summary, cause, figures, raw);
    }

    /**
     * What this failure looks like across nodes, for the triage: the same hardware signature on more nodes of a
     * wave than the plan allows is a driver fault after all. A check may name it in its figures ({@code xid-79});
     * otherwise it is the check's name.
     */
    public String signature() {
        return figures.get("signature") instanceof String s ? s : check;
    }

    public boolean passed() {
        return status == CheckStatus.PASS || status == CheckStatus.WARN;
    }
}
