package io.waveline.database;

import java.time.Duration;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The applications of this JVM that use the embedded PostgreSQL, so that its shutdown hook stops the server after the
 * last of them has stopped, not at the same time: the JVM runs its shutdown hooks at once, and the server going away
 * under Quarkus's own stop failed the engine's last commit and the release of its leases ("This connection has been
 * closed"), leaving a peer to wait for the leases to expire. An application counts from its start to the end of its
 * stop (the last shutdown observer); tests start and stop several in one JVM, the server outlives them all.
 */
@ApplicationScoped
public class EmbeddedPostgresUsers {

    private static final Object LOCK = new Object();
    private static int running;

    void started(@Observes StartupEvent event) {
        synchronized (LOCK) {
            running++;
        }
    }

    /** The last of the shutdown observers: every other one (the engine's stop first of all) is done. */
    void stopped(@Observes @jakarta.annotation.Priority(Integer.MAX_VALUE) ShutdownEvent event) {
        synchronized (LOCK) {
            running = Math.max(0, running - 1);
            LOCK.notifyAll();
        }
    }

    /** Waits until no application of this JVM runs, at most {@code patience}; whether none does. */
    static boolean awaitNone(Duration patience) throws InterruptedException {
        long until = System.nanoTime() + patience.toNanos();
        synchronized (LOCK) {
            for (long left = patience.toNanos(); running > 0 && left > 0; left = until - System.nanoTime()) {
                LOCK.wait(Math.max(1, left / 1_000_000));
            }
            return running == 0;
        }
    }
}
