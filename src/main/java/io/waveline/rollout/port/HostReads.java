package io.waveline.rollout.port;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads of one host that do not depend on each other (its installed versions, boot id and GPU baseline before an
 * upgrade), sent at once instead of one after the other: over SSH each is a channel of the node's one connection,
 * so a node's first look costs about one command's round trip instead of six. The reads run on a small pool of
 * daemon threads that grows with the reads in flight (at most a few per node being stepped).
 */
public final class HostReads {

    private static final AtomicInteger THREADS = new AtomicInteger();
    private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "host-read-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    private HostReads() {
    }

    /** A read of a host; it may find the host unreachable. */
    @FunctionalInterface
    public interface Read<T> {
        T read() throws NodeUnreachableException;
    }

    /** A read started now, on another thread; its answer (or its failure) comes from {@link Pending#join()}. */
    public static <T> Pending<T> start(Read<T> read) {
        return new Pending<>(CompletableFuture.supplyAsync(() -> {
            try {
                return read.read();
            } catch (NodeUnreachableException e) {
                throw new CompletionException(e);
            }
        }, POOL));
    }

    /** The time reads are retried on: a monotonic clock and a pause (tests give their own). */
    public interface Pacing {
        long nanos();

        void pause(java.time.Duration pause) throws InterruptedException;

        Pacing REAL = new Pacing() {
            @Override
            public long nanos() {
                return System.nanoTime();
            }

            @Override
            public void pause(java.time.Duration pause) throws InterruptedException {
                Thread.sleep(pause.toMillis());
            }
        };
    }

    /**
     * {@code read} of a host that did not answer, tried again every {@code every} until it answers or {@code within}
     * has passed (a try that starts must end before it): its answer, or nothing. Interrupted, it answers nothing.
     */
    public static <T> java.util.Optional<T> retried(Read<T> read, java.time.Duration within, java.time.Duration every, Pacing pacing) {
        long until = pacing.nanos() + within.toNanos();
        while (pacing.nanos() + every.toNanos() < until) {
            try {
                pacing.pause(every);
                return java.util.Optional.of(read.read());
            } catch (NodeUnreachableException stillDown) {
                // tried again after the next pause
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return java.util.Optional.empty();
    }

    /** A read under way. */
    public static final class Pending<T> {

        private final CompletableFuture<T> future;

        private Pending(CompletableFuture<T> future) {
            this.future = future;
        }

        /** Its answer once it is there; the host's unreachability or the read's own failure as it was thrown. */
        public T join() throws NodeUnreachableException {
            try {
                return future.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof NodeUnreachableException unreachable) {
                    throw unreachable;
                }
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw e;
            }
        }
    }
}
