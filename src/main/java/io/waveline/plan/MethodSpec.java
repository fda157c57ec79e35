package io.waveline.plan;

import java.util.Map;

/** How nodes are upgraded and the method's own settings (validated against the method's known keys). */
public record MethodSpec(Method type, Map<String, String> settings) {

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
}
