package io.waveline.rollout.port;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

/** Reads of a host at once, and a host tried again until it answers. */
class HostReadsTest {

    /** A clock that moves only by the pauses taken. */
    static final class Pauses implements HostReads.Pacing {
        long now;
        final List<Duration> taken = new ArrayList<>();

        @Override
        public long nanos() {
            return now;
        }

        @Override
        public void pause(Duration pause) {
            taken.add(pause);
            now += pause.toNanos();
        }
    }

    @Test
    void aHostThatComesBackIsAnsweredAtTheFirstLookAfter() {
        Pauses pauses = new Pauses();
        AtomicInteger tries = new AtomicInteger();

        var answer = HostReads.retried(() -> {
            if (tries.incrementAndGet() < 4) {
                throw new NodeUnreachableException("gpu-01: Connection refused");
            }
            return "0d1f2e3c-4b5a-4697-8a8b-9c0d1e2f3a4b";
        }, Duration.ofSeconds(2), Duration.ofMillis(50), pauses);

        assertThat(answer).contains("0d1f2e3c-4b5a-4697-8a8b-9c0d1e2f3a4b");
        assertThat(pauses.taken).hasSize(4).allMatch(Duration.ofMillis(50)::equals);
    }

    @Test
    void aHostStillDownIsGivenUpAtTheEndOfTheWaitAndNotTriedWithoutOne() {
        Pauses pauses = new Pauses();
        AtomicInteger tries = new AtomicInteger();
        HostReads.Read<String> down = () -> {
            tries.incrementAndGet();
            throw new NodeUnreachableException("gpu-01: Connection refused");
        };

        assertThat(HostReads.retried(down, Duration.ofMillis(250), Duration.ofMillis(50), pauses)).isEmpty();
        assertThat(tries).hasValue(4); // 50, 100, 150, 200 ms: a fifth would end past the wait
        assertThat(HostReads.retried(down, Duration.ZERO, Duration.ofMillis(50), pauses)).isEmpty();
        assertThat(tries).hasValue(4);
    }

    @Test
    void readsAtOnceAnswerEachTheirOwnAndPassTheHostsUnreachabilityOn() throws Exception {
        HostReads.Pending<String> versions = HostReads.start(() -> "nvidia-driver 550.127.05");
        HostReads.Pending<String> bootId = HostReads.start(() -> {
            throw new NodeUnreachableException("gpu-01: Connection reset by peer");
        });

        assertThat(versions.join()).isEqualTo("nvidia-driver 550.127.05");
        assertThatThrownBy(bootId::join).isInstanceOf(NodeUnreachableException.class).hasMessage("gpu-01: Connection reset by peer");
    }
}
