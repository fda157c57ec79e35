package io.waveline.database;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.quarkus.runtime.ExecutionMode;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;

/**
 * Starts the embedded PostgreSQL when no {@code quarkus.datasource.jdbc.url} is configured, and hands its URL to
 * the datasource as configuration (at the lowest priority, so any explicit setting wins). With
 * {@code QUARKUS_DATASOURCE_JDBC_URL} set, it starts nothing; nor during the build (Quarkus reads configuration
 * while augmenting, with no execution mode set). One server per JVM, stopped by a shutdown hook once the
 * service using it has stopped ({@link EmbeddedPostgresUsers}).
 */
public final class EmbeddedPostgresConfigSourceFactory implements ConfigSourceFactory {

    public static final String JDBC_URL = "quarkus.datasource.jdbc.url";
    private static final int ORDINAL = 50;
    private static EmbeddedPostgresServer server;
    /** How long the shutdown hook waits for the service's own stop before it stops the server anyway. */
    private static final java.time.Duration STOP_PATIENCE = java.time.Duration.ofSeconds(30);

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        if (ExecutionMode.current() == ExecutionMode.UNSET || isSet(context.getValue(JDBC_URL)) || !enabled(context)) {
            return List.of();
        }
        EmbeddedPostgresServer running = startOnce(context);
        return List.of(new PropertiesConfigSource(Map.of(
                JDBC_URL, running.jdbcUrl(),
                "quarkus.datasource.username", running.username(),
                "quarkus.datasource.password", "postgres",
                "waveline.embedded-db.port", Integer.toString(running.port())),
                "waveline-embedded-postgres", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    private static synchronized EmbeddedPostgresServer startOnce(ConfigSourceContext context) {
        if (server == null) {
            Path dataDir = Path.of(value(context, "waveline.data-dir")
                    .orElse(System.getProperty("user.home") + "/.waveline"));
            int port = value(context, "waveline.embedded-db.port").map(Integer::parseInt).orElse(0);
            boolean durable = value(context, "waveline.embedded-db.durable").map(Boolean::parseBoolean).orElse(true);
            boolean cleanStart = value(context, "waveline.embedded-db.clean-start").map(Boolean::parseBoolean).orElse(false);
            try {
                if (cleanStart) {
                    EmbeddedPostgresServer.wipe(dataDir);
                }
                server = EmbeddedPostgresServer.start(dataDir, port, durable);
            } catch (IOException e) {
                throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir
                        + " (set waveline.data-dir, or QUARKUS_DATASOURCE_JDBC_URL for an external server)", e);
            }
            EmbeddedPostgresServer started = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    if (!EmbeddedPostgresUsers.awaitNone(STOP_PATIENCE)) {
                        System.err.println("the service did not stop within " + STOP_PATIENCE.toSeconds()
                                + " s; stopping the embedded PostgreSQL under it");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                try {
                    started.close();
                } catch (IOException e) {
                    System.err.println("could not stop the embedded PostgreSQL: " + e.getMessage());
                }
            }, "embedded-postgres-stop"));
        }
        return server;
    }

    private static boolean enabled(ConfigSourceContext context) {
        return value(context, "waveline.embedded-db.enabled").map(Boolean::parseBoolean).orElse(true);
    }

    private static Optional<String> value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return isSet(value) ? Optional.of(value.getValue()) : Optional.empty();
    }

    private static boolean isSet(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }
}
