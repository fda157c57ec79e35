package io.waveline.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The promise behind "kill -9 and start again": a service killed without warning leaves its PostgreSQL running
 * as an orphan; the next start must take the data directory back and find every committed row.
 */
class EmbeddedPostgresCrashTest {

    @TempDir
    Path dataDir;

    @Test
    void killedServiceComesBackWithItsDataAndTheOrphanIsStopped() throws Exception {
        Process service = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServiceThatGetsKilled.class.getName(),
                dataDir.toString(), "canary-approved-by-alice").redirectErrorStream(true).start();
        try {
            waitForReady(service);
            service.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            assertThat(service.isAlive()).isFalse();

            Path pidFile = dataDir.resolve("postgres").resolve(OrphanedPostgres.PID_FILE);
            long orphanPid = OrphanedPostgres.readPid(pidFile).orElseThrow();
            assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).as("PostgreSQL outlives kill -9")
                    .contains(true);

            try (EmbeddedPostgresServer restarted = EmbeddedPostgresServer.start(dataDir, 0, true)) {
                assertThat(query(restarted, "SELECT note FROM rollout_note")).containsExactly("canary-approved-by-alice");
                assertThat(query(restarted, "SHOW fsync")).containsExactly("on");
                assertThat(query(restarted, "SHOW synchronous_commit")).containsExactly("on");
                assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive)).isIn(Optional.empty(), Optional.of(false));
            }
        } finally {
            service.destroyForcibly();
        }
    }

    @Test
    void stalePidFileOfADeadServerDoesNotBlockTheStart() throws Exception {
        try (EmbeddedPostgresServer first = EmbeddedPostgresServer.start(dataDir, 0, false);
                Connection c = connect(first); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE plan_seen (name TEXT)");
            s.execute("INSERT INTO plan_seen VALUES ('h100-driver-570')");
        }
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        Path pidFile = dataDir.resolve("postgres").resolve(OrphanedPostgres.PID_FILE);
        Files.writeString(pidFile, gone.pid() + "\n" + dataDir.resolve("postgres") + "\n1700000000\n5432\n");

        try (EmbeddedPostgresServer second = EmbeddedPostgresServer.start(dataDir, 0, false)) {
            assertThat(query(second, "SELECT name FROM plan_seen")).containsExactly("h100-driver-570");
        }
    }

    private static void waitForReady(Process service) throws Exception {
        BufferedReader output = new BufferedReader(new InputStreamReader(service.getInputStream(), StandardCharsets.UTF_8));
        List<String> seen = new ArrayList<>();
        CompletableFuture<Boolean> ready = CompletableFuture.supplyAsync(() -> {
            try {
                String line;
                while ((line = output.readLine()) != null) {
                    seen.add(line);
                    if (line.equals("READY")) {
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(ready.get(Duration.ofMinutes(2).toSeconds(), TimeUnit.SECONDS)).as(String.join("\n", seen)).isTrue();
    }

    private static Connection connect(EmbeddedPostgresServer server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), server.username(), "postgres");
    }

    private static List<String> query(EmbeddedPostgresServer server, String sql) throws SQLException {
        try (Connection c = connect(server); Statement s = c.createStatement(); ResultSet rows = s.executeQuery(sql)) {
            List<String> values = new ArrayList<>();
            while (rows.next()) {
                values.add(rows.getString(1));
            }
            return values;
        }
    }
}
