package io.waveline.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The bearer tokens Waveline accepts, from configuration, kept only as SHA-256 hashes:
 * {@code waveline.auth.tokens=alice:operator:<sha256 of her token>,bob:approver:<sha256>}. A presented token is
 * hashed and compared with every entry in constant time. The demo profile ({@code waveline.auth.demo-admin})
 * adds an admin token ({@code WAVELINE_DEMO_TOKEN}, or a random one) and prints it.
 */
@ApplicationScoped
public class AccessTokens {

    private static final Logger LOG = Logger.getLogger(AccessTokens.class);

    /** A caller known by token: a name for the audit trail and a role. */
    public record Caller(String name, Role role) {
    }

    private record Entry(String name, Role role, byte[] sha256) {
    }

    @ConfigProperty(name = "waveline.auth.enabled", defaultValue = "true")
    boolean enabled;

    @ConfigProperty(name = "waveline.auth.tokens")
    Optional<String> configured;

    @ConfigProperty(name = "waveline.auth.demo-admin", defaultValue = "false")
    boolean demoAdmin;

    @ConfigProperty(name = "waveline.demo-token")
    Optional<String> demoToken;

    private final List<Entry> entries = new ArrayList<>();
    private String printedDemoToken;

    @PostConstruct
    void load() {
        for (String item : configured.orElse("").split(",")) {
            if (item.isBlank()) {
                continue;
            }
            String[] parts = item.trim().split(":");
            if (parts.length != 3 || !parts[2].matches("[0-9a-fA-F]{64}") || !parts[0].matches("[A-Za-z0-9._@-]{1,64}")) {
                throw new IllegalArgumentException("waveline.auth.tokens: \"" + item.trim() + "\" is not name:role:sha256-hex"
                        + " (role one of viewer, operator, approver, admin; the hash of the token: echo -n TOKEN | sha256sum)");
            }
            Role role;
            try {
                role = Role.valueOf(parts[1].toUpperCase());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("waveline.auth.tokens: role \"" + parts[1]
                        + "\" of " + parts[0] + " is not viewer, operator, approver or admin");
            }
            entries.add(new Entry(parts[0], role, HexFormat.of().parseHex(parts[2].toLowerCase())));
        }
        if (demoAdmin) {
            printedDemoToken = demoToken.filter(t -> !t.isBlank()).orElseGet(AccessTokens::randomToken);
            entries.add(new Entry("demo-admin", Role.ADMIN, sha256(printedDemoToken)));
        }
        if (enabled && entries.isEmpty()) {
            LOG.warn("No access tokens configured (waveline.auth.tokens): every API call will be refused with 401");
        }
    }

    public boolean enabled() {
        return enabled;
    }

    /** The demo's admin token, to print at start. */
    public Optional<String> demoToken() {
        return Optional.ofNullable(printedDemoToken);
    }

    public Optional<Caller> caller(String token) {
        return callerBySha256(sha256(token));
    }

    /** The caller whose token has this SHA-256 (a dashboard session keeps only that), while the token is configured. */
    public Optional<Caller> callerBySha256(byte[] tokenSha256) {
        Caller found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.sha256(), tokenSha256)) {
                found = new Caller(entry.name(), entry.role());
            }
        }
        return Optional.ofNullable(found);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String randomToken() {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
