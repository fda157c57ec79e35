package io.waveline.plan;

import java.util.Map;

/**
 * How nodes are upgraded and the method's own settings (validated against the method's known keys), as written
 * ({@link #settings()}, frozen with the rollout) and typed ({@link #typed()}); {@code positions}: where the type and
 * each setting stand in the file.
 */
public record MethodSpec(Method type, Map<String, String> settings, Map<String, SourcePosition> positions) {

    public enum Method {
        SSH("ssh"), ANSIBLE("ansible"), GPU_OPERATOR("gpu-operator"), REDFISH("redfish");

        private final String word;

        Method(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }
    }

    public MethodSpec {
        settings = Map.copyOf(settings);
        positions = Map.copyOf(positions);
    }

    public MethodSpec(Method type, Map<String, String> settings) {
        this(type, settings, Map.of());
    }

    public MethodSettings typed() {
        return MethodSettings.of(settings);
    }

    /** Where {@code key} ({@code type} or a setting) stands; the method's own position when it is not written. */
    public SourcePosition position(String key) {
        return positions.getOrDefault(key, positions.getOrDefault("", SourcePosition.UNKNOWN));
    }
}
