package io.waveline.fleet;

import java.util.regex.Pattern;

import io.waveline.plan.Components;

/** The rules every inventory source holds node fields to, so bad names never reach a shell or a selector. */
final class NodeFields {

    static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.:]{0,251}[A-Za-z0-9])?");
    static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_.-]{0,31}");
    static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_./]{0,251}[A-Za-z0-9])?");
    static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    static final Pattern GPU_MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._+()-]{0,127}");

    private NodeFields() {
    }

    static boolean validName(String name) {
        return Components.NODE_NAME.matcher(name).matches();
    }

    static boolean validVersion(String version) {
        return Components.VERSION.matcher(version).matches();
    }
}
