package io.waveline.plan;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The components catalog: what a plan may move, how versions and node names are spelled, and which methods move
 * which components. Everything that checks a component or a version asks here.
 */
public final class Components {

    public static final String DRIVER = "nvidia-driver";
    public static final String FABRIC_MANAGER = "nvidia-fabricmanager";
    public static final Set<String> ALL = Set.of(DRIVER, FABRIC_MANAGER, "gpu-operator", "gpu-firmware", "nvswitch-firmware",
            "nic-firmware", "bmc-firmware", "bios", "amdgpu-driver", "rocm", "nvidia-container-toolkit", "dcgm");
    /** What the redfish method moves, through the BMC. */
    public static final Set<String> BMC_FIRMWARE = Set.of("gpu-firmware", "nic-firmware", "bmc-firmware", "bios");
    /** What the ssh method moves through host tools ({@code method.firmwareImage}): nvfwupd and mlxfwmanager. */
    public static final Set<String> HOST_TOOL_FIRMWARE = Set.of("gpu-firmware", "nvswitch-firmware", "nic-firmware");
    /** What the ssh and ansible methods install as packages. */
    public static final Set<String> PACKAGES = Set.of(DRIVER, FABRIC_MANAGER);

    public static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}");
    public static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?");

    private Components() {
    }

    /** Component versions in words, sorted by component: {@code nvidia-driver 570.133.20, nvidia-fabricmanager 570.133.20}. */
    public static String describe(java.util.Map<String, String> versions) {
        return versions.entrySet().stream().sorted(java.util.Map.Entry.comparingByKey())
                .map(e -> e.getKey() + " " + e.getValue()).reduce((a, b) -> a + ", " + b).orElse("nothing");
    }

    /**
     * Whether Fabric Manager's packages of this version's branch carry the names NVIDIA gave them from R580 on
     * ({@code nvidia-fabricmanager} on Ubuntu and RHEL; NVIDIA/gpu-driver-container#451, #585, #898).
     */
    public static boolean renamedFabricManager(String version) {
        String branch = version == null ? "" : version.split("\\.")[0];
        return branch.matches("[0-9]{1,6}") && Integer.parseInt(branch) >= 580;
    }
}
