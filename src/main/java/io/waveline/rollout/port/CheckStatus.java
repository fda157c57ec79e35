package io.waveline.rollout.port;

public enum CheckStatus {
    PASS, WARN, FAIL, ERROR
}
