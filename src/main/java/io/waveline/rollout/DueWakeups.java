package io.waveline.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Wakes the engine when the next node poll, retry or soak end is due ({@link RolloutDecider#nextDue}), so that a
 * node's next step follows {@code waveline.engine.poll-interval} and a wave moves on when its soak ends, not at the
 * next tick. One timer: only the earliest wake-up asked for is kept; one due later than a tick away is left to the
 * tick.
 */
final class DueWakeups {

    private final Duration tick;
    private final Runnable wake;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "rollout-due");
        thread.setDaemon(true);
        return thread;
    });
    private ScheduledFuture<?> pending;
    private long pendingAtNanos;

    DueWakeups(Duration tick, Runnable wake) {
        this.tick = tick;
        this.wake = wake;
    }

    /** Wakes the engine at {@code at} (by the engine's clock, which read {@code now}), unless a wake-up comes earlier anyway. */
    synchronized void wakeAt(Instant at, Instant now) {
        Duration delay = Duration.between(now, at);
        if (delay.isNegative() || delay.compareTo(tick) >= 0 || timer.isShutdown()) {
            return;
        }
        long atNanos = System.nanoTime() + delay.toNanos();
        if (pending != null && !pending.isDone() && pendingAtNanos <= atNanos) {
            return;
        }
        if (pending != null) {
            pending.cancel(false);
        }
        pendingAtNanos = atNanos;
        pending = timer.schedule(wake, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    void stop() {
        timer.shutdownNow();
    }
}
