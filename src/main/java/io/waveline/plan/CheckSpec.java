package io.waveline.plan;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One health check the plan runs after each node's upgrade, with its thresholds. {@code waves} empty means every
 * wave; otherwise only the named waves run it (for example DCGM level 3 on the canary only).
 */
public record CheckSpec(String name, Map<String, Object> parameters, Duration timeout, List<String> waves) {

    public boolean appliesTo(String wave) {
        return waves.isEmpty() || waves.contains(wave);
    }
}
