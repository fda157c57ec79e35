package io.waveline.database;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

/**
 * Stands in for a Waveline process in {@link EmbeddedPostgresCrashTest}: starts the embedded PostgreSQL on the
 * given data directory, commits one row, says READY and waits to be killed.
 */
public final class ServiceThatGetsKilled {

    private ServiceThatGetsKilled() {
    }

    public static void main(String[] args) throws Exception {
        EmbeddedPostgresServer server = EmbeddedPostgresServer.start(Path.of(args[0]), 0, true);
        try (Connection connection = DriverManager.getConnection(server.jdbcUrl(), server.username(), "postgres");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE IF NOT EXISTS rollout_note (note TEXT NOT NULL)");
            statement.execute("INSERT INTO rollout_note VALUES ('" + args[1] + "')");
        }
        System.out.println("READY");
        System.out.flush();
        System.in.read();
    }
}
