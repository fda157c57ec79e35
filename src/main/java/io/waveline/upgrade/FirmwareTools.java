package io.waveline.upgrade;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.waveline.plan.Components;
import io.waveline.plan.SettingRule;

/**
 * Firmware through the vendors' host tools, for the {@code ssh} method (no I/O here: commands and parsers).
 * {@code gpu-firmware} and {@code nvswitch-firmware} go through NVIDIA's {@code nvfwupd} ({@code show_version -j},
 * {@code update_fw -p <package> -y}); {@code nic-firmware} through {@code mlxfwmanager} ({@code --query},
 * {@code -u -i <image> -y}). The commands are templates like the package installs: {@code {image}} is the plan's
 * {@code firmwareImage} with {@code {component}} and {@code {version}} filled in, both validated again here.
 */
public final class FirmwareTools {

    /** The firmware components a host tool moves. */
    public static final Set<String> COMPONENTS = io.waveline.plan.Components.HOST_TOOL_FIRMWARE;
    /** Components whose new firmware only a power cycle activates (an HGX baseboard's GPUs and NVSwitches). */
    public static final Set<String> NEED_POWER_CYCLE = Set.of("gpu-firmware", "nvswitch-firmware");

    public static final String NVFWUPD_QUERY = ". /etc/waveline/bmc.env && nvfwupd -t ip=\"$BMC_IP\" user=\"$BMC_USER\""
            + " password=\"$BMC_PASSWORD\" show_version -j";
    public static final String NVFWUPD_INSTALL = ". /etc/waveline/bmc.env && nvfwupd -t ip=\"$BMC_IP\" user=\"$BMC_USER\""
            + " password=\"$BMC_PASSWORD\" update_fw -p {image} -y";
    public static final String MLXFWMANAGER_QUERY = "mlxfwmanager --query";
    public static final String MLXFWMANAGER_INSTALL = "mlxfwmanager -u -i {image} -y";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern GPU_AP = Pattern.compile("HGX_FW_GPU_SXM_[0-9]+|HGX_FW_GPU_[0-9]+");
    private static final Pattern NVSWITCH_AP = Pattern.compile("HGX_FW_NVSwitch_[0-9]+");
    private static final Pattern MLX_FW = Pattern.compile("^\\s+FW\\s+(?!\\()(\\S+)", Pattern.MULTILINE);
    private static final Pattern MLX_RUNNING = Pattern.compile("^\\s+FW \\(Running\\)\\s+(\\S+)", Pattern.MULTILINE);

    /** Which tool moves a component. */
    public enum Tool {
        NVFWUPD, MLXFWMANAGER;

        public static Tool of(String component) {
            return component.equals("nic-firmware") ? MLXFWMANAGER : NVFWUPD;
        }
    }

    /** The four command templates (query and install per tool), checked once at start. */
    public record Templates(String nvfwupdQuery, String nvfwupdInstall, String mlxQuery, String mlxInstall) {

        public static Templates defaults() {
            return new Templates(NVFWUPD_QUERY, NVFWUPD_INSTALL, MLXFWMANAGER_QUERY, MLXFWMANAGER_INSTALL);
        }

        String install(Tool tool) {
            return tool == Tool.NVFWUPD ? nvfwupdInstall : mlxInstall;
        }

        String query(Tool tool) {
            return tool == Tool.NVFWUPD ? nvfwupdQuery : mlxQuery;
        }
    }

    private FirmwareTools() {
    }

    /** What is wrong with an install template ({@code {image}} required), or empty. */
    public static Optional<String> installTemplateProblem(String template) {
        if (!template.contains("{image}")) {
            return Optional.of("it must contain {image}");
        }
        return queryTemplateProblem(template.replace("{image}", ""));
    }

    /** What is wrong with a query command, or empty. */
    public static Optional<String> queryTemplateProblem(String template) {
        if (template.contains("'") || template.contains("\n")) {
            return Optional.of("it must not contain single quotes or line breaks (it runs inside sh -c '...')");
        }
        if (template.contains("{") || template.contains("}")) {
            return Optional.of("only {image} may be substituted, in install templates");
        }
        return Optional.empty();
    }

    /** The tools a set of components needs, in a fixed order. */
    public static List<Tool> tools(Set<String> components) {
        return components.stream().map(Tool::of).distinct().sorted().toList();
    }

    /** The image path for one component and version from the plan's {@code firmwareImage}; refuses anything unsafe. */
    public static String image(String template, String component, String version) {
        if (!COMPONENTS.contains(component)) {
            throw new IllegalArgumentException("no host tool moves " + component);
        }
        if (!Components.VERSION.matcher(version).matches()) {
            throw new IllegalArgumentException("refusing unsafe version " + version);
        }
        String path = template.replace("{component}", component).replace("{version}", version);
        if (!SettingRule.PATH_TEMPLATE.matcher(path).matches() || path.contains("{") || path.contains("..")) {
            throw new IllegalArgumentException("refusing image path " + path);
        }
        return path;
    }

    /** The shell work of one install job: each component's image through its tool, in a fixed order, stopping at the first failure. */
    public static String installWork(Map<String, String> versions, String imageTemplate, Templates templates) {
        List<String> steps = new ArrayList<>();
        new TreeMap<>(versions).forEach((component, version) -> steps.add(
                templates.install(Tool.of(component)).replace("{image}", image(imageTemplate, component, version))));
        return String.join(" && ", steps);
    }

    /** The command that reads the versions a tool knows. */
    public static String query(Tool tool, Templates templates) {
        return templates.query(tool);
    }

    /**
     * Reads {@code nvfwupd show_version -j}: the GPUs' ({@code HGX_FW_GPU_SXM_<n>}) and NVSwitches'
     * ({@code HGX_FW_NVSwitch_<n>}) {@code Sys Version}. Components the output does not show are left out; devices that
     * disagree give {@code mixed:<a>/<b>}, which never equals a target.
     */
    public static Map<String, String> parseNvfwupd(String output) {
        Map<String, Set<String>> seen = new TreeMap<>();
        try {
            int start = output.indexOf('{');
            JsonNode root = start < 0 ? JSON.missingNode() : JSON.readTree(output.substring(start));
            for (JsonNode device : root.path("Firmware Devices")) {
                String ap = device.path("AP Name").asText("");
                String version = device.path("Sys Version").asText("");
                if (version.isEmpty() || version.equals("N/A")) {
                    continue;
                }
                if (GPU_AP.matcher(ap).matches()) {
                    seen.computeIfAbsent("gpu-firmware", k -> new TreeSet<>()).add(version);
                } else if (NVSWITCH_AP.matcher(ap).matches()) {
                    seen.computeIfAbsent("nvswitch-firmware", k -> new TreeSet<>()).add(version);
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return summarize(seen);
    }

    /**
     * Reads {@code mlxfwmanager --query} (and {@code mlxup --query}, which prints the same): the burned {@code FW}
     * version of every device listed. After a flash and before the reset that activates it, a device also prints
     * {@code FW (Running)} with the version it still runs ({@link #parseMlxfwmanagerRunning}); the burned one is what
     * is installed.
     */
    public static Map<String, String> parseMlxfwmanager(String output) {
        Set<String> versions = new TreeSet<>();
        for (String device : mlxDevices(output)) {
            Matcher fw = MLX_FW.matcher(device);
            if (fw.find() && !fw.group(1).equals("N/A")) {
                versions.add(fw.group(1));
            }
        }
        return versions.isEmpty() ? Map.of() : summarize(Map.of("nic-firmware", versions));
    }

    /** The version each device runs: its {@code FW (Running)} while a flashed version waits for activation, else its {@code FW}. */
    public static Map<String, String> parseMlxfwmanagerRunning(String output) {
        Set<String> versions = new TreeSet<>();
        for (String device : mlxDevices(output)) {
            Matcher running = MLX_RUNNING.matcher(device);
            Matcher fw = MLX_FW.matcher(device);
            String version = running.find() ? running.group(1) : fw.find() ? fw.group(1) : "N/A";
            if (!version.equals("N/A")) {
                versions.add(version);
            }
        }
        return versions.isEmpty() ? Map.of() : summarize(Map.of("nic-firmware", versions));
    }

    /** The devices' blocks ({@code Device #1:} …), or the whole output when it has no such header. */
    private static List<String> mlxDevices(String output) {
        String[] blocks = output.split("(?m)^Device #\\d+:");
        return blocks.length <= 1 ? List.of(output) : java.util.Arrays.asList(blocks).subList(1, blocks.length);
    }

    private static Map<String, String> summarize(Map<String, Set<String>> seen) {
        Map<String, String> versions = new TreeMap<>();
        seen.forEach((component, found) -> versions.put(component,
                found.size() == 1 ? found.iterator().next() : "mixed:" + String.join("/", found)));
        return versions;
    }
}
