package io.waveline.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jboss.logging.Logger;

/**
 * Clears the way for an embedded PostgreSQL on a data directory that a previous run may have left behind.
 *
 * <p>A {@code kill -9} of the service leaves its PostgreSQL running as an orphan that owns the data directory; a
 * crash of the machine leaves a {@code postmaster.pid} naming a dead process (or, after a reboot, someone else's).
 * The first line of {@code postmaster.pid} is the server's pid. If that process is alive and is a postgres, it is
 * asked to shut down (SIGTERM: no new sessions, and the killed JVM's sessions are already gone; then SIGINT, a
 * fast shutdown) and awaited; PostgreSQL removes its pid file as it exits. A pid file naming no live postgres is
 * stale and is deleted. Either way committed data stays: PostgreSQL replays its WAL on the next start.
 */
final class OrphanedPostgres {

    private static final Logger LOG = Logger.getLogger(OrphanedPostgres.class);
    static final String PID_FILE = "postmaster.pid";

    private OrphanedPostgres() {
    }

    static void clear(Path dataDirectory, Duration patience) throws IOException {
        Path pidFile = dataDirectory.resolve(PID_FILE);
        Optional<Long> pid = readPid(pidFile);
        if (pid.isEmpty()) {
            return;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(ProcessHandle::isAlive)
                .filter(OrphanedPostgres::isPostgres);
        if (process.isEmpty()) {
            LOG.infof("Removing stale %s (pid %d is not a running PostgreSQL)", pidFile, pid.get());
            Files.deleteIfExists(pidFile);
            return;
        }
        LOG.warnf("PostgreSQL pid %d from an earlier run still owns %s; shutting it down", pid.get(), dataDirectory);
        process.get().destroy();
        if (!awaitExit(process.get(), patience)) {
            signal(pid.get(), "INT");
            if (!awaitExit(process.get(), patience)) {
                throw new IOException("PostgreSQL pid " + pid.get() + " still owns " + dataDirectory + " after "
                        + patience.multipliedBy(2).toSeconds() + "s; stop it (pg_ctl stop -D " + dataDirectory
                        + " -m fast) and start Waveline again");
            }
        }
        LOG.infof("PostgreSQL pid %d stopped; its data is kept", pid.get());
    }

    static Optional<Long> readPid(Path pidFile) throws IOException {
        if (!Files.isRegularFile(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return Optional.of(-1L);
        }
        try {
            return Optional.of(Long.parseLong(lines.get(0).trim()));
        } catch (NumberFormatException e) {
            return Optional.of(-1L);
        }
    }

    private static boolean isPostgres(ProcessHandle process) {
        return process.info().command().map(c -> c.contains("postgres")).orElse(true);
    }

    private static boolean awaitExit(ProcessHandle process, Duration patience) {
        try {
            process.onExit().get(patience.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return !process.isAlive();
        }
    }

    private static void signal(long pid, String signal) throws IOException {
        try {
            new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
