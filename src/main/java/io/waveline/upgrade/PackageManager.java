package io.waveline.upgrade;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.waveline.plan.Components;

/**
 * The per-distribution commands of the {@code ssh} method. Driver and Fabric Manager are installed in one
 * transaction and pinned together, so an unattended upgrade cannot move one without the other:
 * <ul>
 * <li>{@code apt} (Ubuntu, Debian): {@code nvidia-driver-<branch>=<version>-1} and
 * {@code nvidia-fabricmanager-<branch>=<version>-1}, held with {@code apt-mark hold}; versions read with
 * {@code dpkg-query}.</li>
 * <li>{@code dnf} (RHEL, Rocky): {@code nvidia-driver-3:<version>} and {@code nvidia-fabric-manager-<version>},
 * locked with {@code dnf versionlock}; versions read with {@code rpm -q}.</li>
 * </ul>
 * From branch R580 on, NVIDIA renamed Fabric Manager's packages: Ubuntu's is {@code nvidia-fabricmanager} at
 * {@code <version>-1} ({@code nvidia-fabricmanager-580} is only a virtual package then), RHEL's
 * {@code nvidia-fabricmanager-<version>} (before: {@code nvidia-fabric-manager}); see NVIDIA/gpu-driver-container#451,
 * #585 and #898. Both names are read, and the install uses the one of the target's branch.
 * Component names come from the known set and versions match {@link Components#VERSION}; anything else is
 * refused here, a second time, before a command is built.
 */
public enum PackageManager {
    APT, DNF;

    private static final Map<String, String> APT_NAMES = Map.of("nvidia-driver", "nvidia-driver-",
            "nvidia-fabricmanager", "nvidia-fabricmanager-");
    private static final Map<String, String> DNF_NAMES = Map.of("nvidia-driver", "nvidia-driver",
            "nvidia-fabricmanager", "nvidia-fabric-manager");

    public static PackageManager of(Optional<String> word) {
        return word.map(w -> w.equals("dnf") || w.equals("yum") ? DNF : APT).orElse(APT);
    }

    public String installedQuery() {
        return this == APT
                ? "dpkg-query -W -f='${Package} ${Version}\\n' 'nvidia-driver-*' 'nvidia-fabricmanager' 'nvidia-fabricmanager-*' 2>/dev/null"
                : "rpm -q --qf '%{NAME} %{VERSION}\\n' nvidia-driver nvidia-fabric-manager nvidia-fabricmanager 2>/dev/null";
    }

    /** Reads {@link #installedQuery()} output into component → version. */
    public Map<String, String> parseInstalled(String output) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (String line : output.split("\\R")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 2 || parts[1].isEmpty()) {
                continue;
            }
            if (this == APT && parts[0].equals("nvidia-fabricmanager")) {
                versions.put("nvidia-fabricmanager", parts[1].contains("-") ? parts[1].substring(0, parts[1].lastIndexOf('-')) : parts[1]);
            } else if (this == DNF && parts[0].equals("nvidia-fabricmanager")) {
                versions.put("nvidia-fabricmanager", parts[1]);
            } else if (this == APT) {
                APT_NAMES.forEach((component, prefix) -> {
                    if (parts[0].startsWith(prefix) && parts[0].substring(prefix.length()).matches("[0-9]+")) {
                        versions.put(component, parts[1].contains("-") ? parts[1].substring(0, parts[1].lastIndexOf('-')) : parts[1]);
                    }
                });
            } else {
                DNF_NAMES.forEach((component, name) -> {
                    if (parts[0].equals(name)) {
                        versions.put(component, parts[1]);
                    }
                });
            }
        }
        return versions;
    }

    /** The default install template: {@code {packages}} are the package specs, {@code {names}} the package names. */
    public String defaultTemplate() {
        return this == APT
                ? "apt-mark unhold {names}; apt-get install -y --allow-downgrades --allow-change-held-packages {packages}"
                        + " && apt-mark hold {names}"
                : "dnf versionlock delete {names}; dnf install -y --allowerasing {packages} && dnf versionlock add {names}";
    }

    /** The install for plans with {@code holdPackages: false}: earlier holds are released and none is set. */
    public String unpinnedTemplate() {
        return this == APT ? "apt-mark unhold {names}; apt-get install -y --allow-downgrades --allow-change-held-packages {packages}"
                : "dnf versionlock delete {names}; dnf install -y --allowerasing {packages}";
    }

    /** Checks a configured install template; the answer is empty when it may be used, else what is wrong. */
    public static Optional<String> templateProblem(String template) {
        if (!template.contains("{packages}")) {
            return Optional.of("it must contain {packages}");
        }
        if (template.contains("'") || template.contains("\n")) {
            return Optional.of("it must not contain single quotes or line breaks (it runs inside sh -c '...')");
        }
        String rest = template.replace("{packages}", "").replace("{names}", "");
        if (rest.contains("{") || rest.contains("}")) {
            return Optional.of("only {packages} and {names} may be substituted");
        }
        return Optional.empty();
    }

    /** The shell work that installs and pins {@code versions} (component → version), with the default template. */
    public String installWork(Map<String, String> versions) {
        return installWork(versions, defaultTemplate());
    }

    /** The shell work that installs and pins {@code versions}, with a checked template. */
    public String installWork(Map<String, String> versions, String template) {
        List<Map.Entry<String, String>> sorted = versions.entrySet().stream().sorted(Map.Entry.comparingByKey()).toList();
        StringBuilder specs = new StringBuilder();
        StringBuilder names = new StringBuilder();
        for (Map.Entry<String, String> entry : sorted) {
            String component = entry.getKey();
            String version = entry.getValue();
            if (!APT_NAMES.containsKey(component)) {
                throw new IllegalArgumentException("the ssh method cannot install " + component);
            }
            if (!Components.VERSION.matcher(version).matches()) {
                throw new IllegalArgumentException("refusing unsafe version " + version);
            }
            boolean renamed = component.equals("nvidia-fabricmanager") && Components.renamedFabricManager(version);
            String name = renamed ? "nvidia-fabricmanager"
                    : this == APT ? APT_NAMES.get(component) + version.split("\\.")[0] : DNF_NAMES.get(component);
            String spec = this == APT ? name + "=" + version + "-1"
                    : name + "-" + (component.equals("nvidia-driver") ? "3:" : "") + version;
            specs.append(specs.length() == 0 ? "" : " ").append(spec);
            names.append(names.length() == 0 ? "" : " ").append(name);
        }
        return template.replace("{packages}", specs).replace("{names}", names);
    }
}
