package io.waveline.plan;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.plan.MethodSpec.Method;

/** The settings each upgrade method accepts. */
public final class MethodCatalog {

    private static final Map<Method, List<SettingRule>> SETTINGS = Map.of(
            Method.SSH, List.of(SettingRule.text("user"), SettingRule.integer("port", 1, 65535),
                    SettingRule.choice("packageManager", "apt", "dnf", "yum"), SettingRule.bool("sudo"),
                    SettingRule.bool("holdPackages"), SettingRule.duration("rebootTimeout"),
                    SettingRule.pathTemplate("firmwareImage"), SettingRule.choice("reset", "reboot", "power-cycle"),
                    SettingRule.choice("rollback", "image", "none")),
            Method.ANSIBLE, List.of(SettingRule.text("playbook"), SettingRule.text("inventory"),
                    SettingRule.bool("become"), SettingRule.duration("timeout"), SettingRule.integer("forks", 1, 500)),
            Method.GPU_OPERATOR, List.of(SettingRule.text("namespace"),
                    SettingRule.choice("mode", "nvidiadriver", "clusterpolicy"),
                    SettingRule.duration("validatorTimeout")),
            Method.REDFISH, List.of(SettingRule.url("imageUri"), SettingRule.pathTemplate("imageFile"),
                    SettingRule.duration("forceResetAfter"),
                    SettingRule.choice("transferProtocol", "HTTP", "HTTPS", "NFS", "CIFS"),
                    SettingRule.text("credentialsRef"), SettingRule.bool("verifyTls"),
                    SettingRule.duration("updateTimeout"), SettingRule.choice("rollback", "image", "none")));

    private MethodCatalog() {
    }

    public static List<SettingRule> settings(Method method) {
        return SETTINGS.get(method);
    }

    public static Optional<Method> byWord(String word) {
        return Arrays.stream(Method.values()).filter(m -> m.word().equals(word)).findFirst();
    }

    public static List<String> words() {
        return Arrays.stream(Method.values()).map(Method::word).toList();
    }
}
