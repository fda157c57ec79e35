package io.waveline.health;

import java.util.Map;

/** One check a plan asks for, with its thresholds and timeout (seconds), as frozen on a node run. */
public record CheckRequest(String name, Map<String, Object> parameters, long timeoutSeconds) {
}
