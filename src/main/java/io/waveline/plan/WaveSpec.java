package io.waveline.plan;

import java.time.Duration;
import java.util.Optional;

/** One wave as the plan declares it. {@code maxParallel} empty means: only the fleet limits bound it. */
public record WaveSpec(String name, WaveSize size, Duration soak, boolean approvalRequired,
        Optional<Integer> maxParallel, SourcePosition position, String path) {
}
