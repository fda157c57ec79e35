package io.waveline.database;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.jboss.logging.Logger;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * The embedded PostgreSQL that Waveline runs when no external database is configured. Its data lives in
 * {@code <data-dir>/postgres} and survives restarts and {@code kill -9} (see {@link OrphanedPostgres}).
 *
 * <p>Durable by default: zonky's builder turns fsync and synchronous_commit off, which can lose committed
 * transactions on a crash; Waveline turns both back on unless {@code waveline.embedded-db.durable=false} (the test
 * profile does that, for speed only).
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(EmbeddedPostgresServer.class);
    private static final Duration SHUTDOWN_PATIENCE = Duration.ofSeconds(30);

    private final EmbeddedPostgres postgres;
    private final Path dataDirectory;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path dataDirectory) {
        this.postgres = postgres;
        this.dataDirectory = dataDirectory;
    }

    public static EmbeddedPostgresServer start(Path dataDir, int port, boolean durable) throws IOException {
        Path pgData = dataDir.toAbsolutePath().normalize().resolve("postgres");
        Files.createDirectories(pgData);
        OrphanedPostgres.clear(pgData, SHUTDOWN_PATIENCE);
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                // no closer hook of its own: it would stop the server beside the service's stop; whoever starts the
                // server closes it (the service's hook waits for the service first: EmbeddedPostgresUsers)
                .setRegisterShutdownHook(false)
                .setPGStartupWait(Duration.ofSeconds(60));
        if (port > 0) {
            builder.setPort(port);
        }
        if (durable) {
            builder.setServerConfig("fsync", "on").setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on");
        }
        EmbeddedPostgres postgres = builder.start();
        LOG.infof("Embedded PostgreSQL listening on port %d, data in %s (durable: %s)", postgres.getPort(), pgData,
                durable);
        return new EmbeddedPostgresServer(postgres, pgData);
    }

    /** Deletes the embedded database (stopping a leftover server first); for throwaway test data only. */
    public static void wipe(Path dataDir) throws IOException {
        Path pgData = dataDir.toAbsolutePath().normalize().resolve("postgres");
        if (!Files.isDirectory(pgData)) {
            return;
        }
        OrphanedPostgres.clear(pgData, SHUTDOWN_PATIENCE);
        try (java.util.stream.Stream<Path> paths = Files.walk(pgData)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    public String username() {
        return "postgres";
    }

    public int port() {
        return postgres.getPort();
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
