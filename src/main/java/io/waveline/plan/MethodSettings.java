package io.waveline.plan;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A plan's method settings, typed: what {@link MethodCatalog} validated, read once into values. Rollouts freeze
 * the settings as written ({@link #frozen()}, stored with every node run) and read them back with {@link #of}, so the
 * engine and the methods never parse a setting again. A key a method does not know was refused by the validator and
 * is absent here.
 */
public record MethodSettings(
        // ssh
        Optional<String> user, Optional<Integer> port, Optional<String> packageManager, boolean sudo, boolean holdPackages,
        Optional<Duration> rebootTimeout, Optional<String> firmwareImage, Optional<String> reset,
        // ssh and redfish
        boolean noRollback,
        // ansible
        Optional<String> playbook, Optional<String> inventory, boolean become, Optional<Duration> timeout,
        Optional<Integer> forks,
        // gpu-operator
        Optional<String> namespace, Optional<String> mode, Optional<Duration> validatorTimeout,
        // redfish
        Optional<String> imageUri, Optional<String> imageFile, Optional<Duration> forceResetAfter,
        Optional<String> transferProtocol, Optional<String> credentialsRef, Optional<Boolean> verifyTls,
        Optional<Duration> updateTimeout,
        Map<String, String> frozen) {

    public static final MethodSettings NONE = of(Map.of());

    public MethodSettings {
        frozen = Map.copyOf(frozen);
    }

    /** Reads validated settings (as the plan wrote them, or as frozen with a node run); null means none. */
    public static MethodSettings of(Map<String, String> settings) {
        Map<String, String> s = settings == null ? Map.of() : settings;
        return new MethodSettings(text(s, "user"), number(s, "port"), text(s, "packageManager"),
                flag(s, "sudo", false), flag(s, "holdPackages", true), duration(s, "rebootTimeout"),
                text(s, "firmwareImage"), text(s, "reset"), "none".equals(s.get("rollback")),
                text(s, "playbook"), text(s, "inventory"), flag(s, "become", false), duration(s, "timeout"),
                number(s, "forks"), text(s, "namespace"), text(s, "mode"), duration(s, "validatorTimeout"),
                text(s, "imageUri"), text(s, "imageFile"), duration(s, "forceResetAfter"), text(s, "transferProtocol"),
                text(s, "credentialsRef"), Optional.ofNullable(s.get("verifyTls")).map(Boolean::parseBoolean),
                duration(s, "updateTimeout"), s);
    }

    /** Firmware through the host tools ({@code ssh} with {@code firmwareImage}). */
    public boolean hostToolFirmware() {
        return firmwareImage.isPresent();
    }

    private static Optional<String> text(Map<String, String> s, String key) {
        return Optional.ofNullable(s.get(key)).filter(v -> !v.isBlank());
    }

    private static Optional<Integer> number(Map<String, String> s, String key) {
        return text(s, key).map(Integer::parseInt);
    }

    private static boolean flag(Map<String, String> s, String key, boolean otherwise) {
        return text(s, key).map(Boolean::parseBoolean).orElse(otherwise);
    }

    private static Optional<Duration> duration(Map<String, String> s, String key) {
        return text(s, key).flatMap(Durations::parse);
    }
}
