package io.waveline.health;

public enum CheckStatus {
    PASS, WARN, FAIL, ERROR
}
