package io.waveline.rollout.port;

import java.util.Comparator;
import java.util.stream.StreamSupport;

/**
 * An adapter that may stand aside for another of the same port: of the active ones, the one of highest precedence
 * is used. Production adapters are always active; the simulator's are active only while it runs and take
 * precedence then, so no production class needs to know the simulator exists.
 */
public interface Selectable {

    default boolean active() {
        return true;
    }

    default int precedence() {
        return 0;
    }

    static <T extends Selectable> T pick(Iterable<T> candidates, String port) {
        return StreamSupport.stream(candidates.spliterator(), false).filter(Selectable::active)
                .max(Comparator.comparingInt(Selectable::precedence))
                .orElseThrow(() -> new IllegalStateException("no active adapter for " + port));
    }
}
