package io.waveline.api;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The dashboard's logins: a token given once on the login page opens a session whose random id is the cookie's value
 * ({@link SessionCookieMechanism}); the token itself never goes into a URL or a cookie. Stored in PostgreSQL (the id
 * only as its SHA-256), so every replica knows every session and a restart keeps them; a session ends at logout,
 * after {@code waveline.dashboard.session-ttl}, or when its token is no longer configured.
 */
@ApplicationScoped
public class DashboardSessions {

    public static final String COOKIE = "waveline_session";

    @Inject
    AgroalDataSource database;

    @Inject
    AccessTokens tokens;

    @Inject
    Clock clock;

    @ConfigProperty(name = "waveline.dashboard.session-ttl", defaultValue = "12h")
    Duration ttl;

    private final SecureRandom random = new SecureRandom();

    public Duration ttl() {
        return ttl;
    }

    /** A new session for a known token: its cookie value; empty for an unknown token. */
    public Optional<String> open(String token) {
        if (token == null || token.isBlank() || tokens.caller(token.strip()).isEmpty()) {
            return Optional.empty();
        }
        byte[] id = new byte[32];
        random.nextBytes(id);
        String cookie = HexFormat.of().formatHex(id);
        Instant now = clock.instant();
        update("insert into dashboard_session (id_sha256, token_sha256, created_at, expires_at) values (?, ?, ?, ?)",
                List.of(AccessTokens.sha256(cookie), AccessTokens.sha256(token.strip()), time(now), time(now.plus(ttl))));
        update("delete from dashboard_session where expires_at < ?", List.of(time(now)));
        return Optional.of(cookie);
    }

    /** The caller of a live session. */
    public Optional<AccessTokens.Caller> caller(String cookie) {
        if (cookie == null || !cookie.matches("[0-9a-f]{64}")) {
            return Optional.empty();
        }
        try (var connection = database.getConnection();
                var query = connection.prepareStatement("select token_sha256 from dashboard_session where id_sha256 = ? and expires_at > ?")) {
            query.setBytes(1, AccessTokens.sha256(cookie));
            query.setObject(2, time(clock.instant()));
            try (var rows = query.executeQuery()) {
                return rows.next() ? tokens.callerBySha256(rows.getBytes(1)) : Optional.empty();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot read dashboard sessions: " + e.getMessage(), e);
        }
    }

    public void close(String cookie) {
        if (cookie != null && cookie.matches("[0-9a-f]{64}")) {
            update("delete from dashboard_session where id_sha256 = ?", List.of(AccessTokens.sha256(cookie)));
        }
    }

    private static OffsetDateTime time(Instant at) {
        return at.atOffset(ZoneOffset.UTC);
    }

    private void update(String sql, List<Object> values) {
        try (var connection = database.getConnection(); var statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < values.size(); i++) {
                statement.setObject(i + 1, values.get(i));
            }
            statement.executeUpdate();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot write dashboard sessions: " + e.getMessage(), e);
        }
    }
}
