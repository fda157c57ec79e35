package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.waveline.rollout.port.GpuBaseline;

/** Baselines read ahead of a node's start: used while fresh, read again when old, a silent node not asked at every reconcile. */
class BaselinesAheadTest {

    static final Instant T0 = Instant.parse("2026-12-04T02:00:00Z");
    static final GpuBaseline TWO_GPUS = new GpuBaseline(List.of(new GpuBaseline.Gpu(0, "GPU-a", "00000000:18:00.0", "96.00.89.00.01",
            "Enabled", "Disabled"), new GpuBaseline.Gpu(1, "GPU-b", "00000000:2A:00.0", "96.00.89.00.01", "Enabled", "Disabled")),
            Map.of(), null);

    final BaselinesAhead ahead = new BaselinesAhead(Duration.ofMinutes(2));

    @Test
    void aFreshBaselineIsTakenOnceWithItsAge() {
        assertThat(ahead.claim(7, T0)).isTrue();
        assertThat(ahead.claim(7, T0)).as("one read at a time").isFalse();
        ahead.put(7, T0, Optional.of(TWO_GPUS));
        assertThat(ahead.claim(7, T0.plusSeconds(30))).as("read within the max age: not read again").isFalse();

        Optional<BaselinesAhead.Taken> taken = ahead.take(7, T0.plusSeconds(90));
        assertThat(taken).hasValueSatisfying(t -> {
            assertThat(t.baseline()).isEqualTo(TWO_GPUS);
            assertThat(t.age()).isEqualTo(Duration.ofSeconds(90));
        });
        assertThat(ahead.take(7, T0.plusSeconds(91))).as("taken once").isEmpty();
    }

    @Test
    void anOldBaselineIsNotUsedAndIsReadAgainWhileTheNodeWaits() {
        assertThat(ahead.claim(7, T0)).isTrue();
        ahead.put(7, T0, Optional.of(TWO_GPUS));
        assertThat(ahead.claim(7, T0.plusSeconds(121))).as("older than the max age: read again").isTrue();
        assertThat(ahead.take(7, T0.plusSeconds(121))).as("the old one is not used").isEmpty();
    }

    @Test
    void aNodeThatDidNotAnswerIsTriedAgainOnlyAfterTheMaxAge() {
        assertThat(ahead.claim(7, T0)).isTrue();
        ahead.put(7, T0, Optional.empty());
        assertThat(ahead.claim(7, T0.plusSeconds(1))).isFalse();
        assertThat(ahead.take(7, T0.plusSeconds(1))).as("nothing to use: the first look reads it").isEmpty();
        assertThat(ahead.claim(7, T0.plusSeconds(1))).as("taken: may be read again").isTrue();
    }

    @Test
    void aMaxAgeOfZeroOrLessIsRefusedWithTheSettingsName() {
        for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofSeconds(-5)}) {
            assertThatThrownBy(() -> new BaselinesAhead(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("waveline.engine.look-ahead-max-age").hasMessageContaining("waveline.engine.look-ahead=0");
        }
    }

    @Test
    void anAbandonedReadCanBeClaimedAgainAndOldEntriesAreForgotten() {
        assertThat(ahead.claim(7, T0)).isTrue();
        ahead.abandon(7);
        assertThat(ahead.claim(7, T0)).isTrue();
        ahead.put(7, T0, Optional.of(TWO_GPUS));
        ahead.put(8, T0.plusSeconds(200), Optional.of(TWO_GPUS));
        ahead.forgetOld(T0.plusSeconds(241));
        assertThat(ahead.held()).as("the baseline of a node that never started is forgotten").isEqualTo(1);
        assertThat(ahead.take(8, T0.plusSeconds(241))).isPresent();
    }
}
