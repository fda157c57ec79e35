package io.waveline.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * The host tools' commands and parsers, on output in the tools' real formats ({@code nvfwupd show_version -j} as
 * NVIDIA documents it for nvfwupd 2.0.5+, {@code mlxfwmanager --query} of ConnectX-7 adapters), truncated and garbage.
 */
class FirmwareToolsTest {

    static String fixture(String name) throws IOException {
        try (InputStream in = FirmwareToolsTest.class.getResourceAsStream("/firmware/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void nvfwupdGivesGpuAndNvswitchVersionsAndShowsGpusThatDisagree() throws IOException {
        Map<String, String> versions = FirmwareTools.parseNvfwupd(fixture("nvfwupd-show-version-hgx-h100.json"));
        assertThat(versions).containsEntry("nvswitch-firmware", "96.10.6D.00.01")
                .containsEntry("gpu-firmware", "mixed:96.00.74.00.1C/96.00.99.00.01")
                .doesNotContainKey("nic-firmware");
    }

    @Test
    void nvfwupdWithAWarningBeforeTheJsonOrGarbageNeverThrows() throws IOException {
        String json = fixture("nvfwupd-show-version-hgx-h100.json").replace("96.00.74.00.1C", "96.00.99.00.01");
        assertThat(FirmwareTools.parseNvfwupd("WARNING: TLS verification disabled\n" + json))
                .containsEntry("gpu-firmware", "96.00.99.00.01");
        assertThat(FirmwareTools.parseNvfwupd(json.substring(0, json.length() / 2))).isEmpty();
        assertThat(FirmwareTools.parseNvfwupd("Error: Connection to BMC 10.20.0.17 failed")).isEmpty();
    }

    @Test
    void mlxfwmanagerGivesTheCurrentFirmwareNotTheAvailableOne() throws IOException {
        String query = fixture("mlxfwmanager-query-cx7.txt");
        assertThat(FirmwareTools.parseMlxfwmanager(query)).containsExactly(Map.entry("nic-firmware", "28.39.1002"));
        String oneBehind = query.replaceFirst("28\\.39\\.1002", "28.36.1010");
        assertThat(FirmwareTools.parseMlxfwmanager(oneBehind)).containsEntry("nic-firmware", "mixed:28.36.1010/28.39.1002");
        assertThat(FirmwareTools.parseMlxfwmanager("-E- No devices found or specified, mst might be stopped")).isEmpty();
    }

    @Test
    void theInstallRunsEachToolWithTheImageOfItsComponentInAFixedOrder() {
        String work = FirmwareTools.installWork(Map.of("nic-firmware", "28.42.1000", "gpu-firmware", "96.00.A1.00.01"),
                "/srv/firmware/{component}-{version}.bin", FirmwareTools.Templates.defaults());
        assertThat(work).isEqualTo(". /etc/waveline/bmc.env && nvfwupd -t ip=\"$BMC_IP\" user=\"$BMC_USER\" password=\"$BMC_PASSWORD\""
                + " update_fw -p /srv/firmware/gpu-firmware-96.00.A1.00.01.bin -y"
                + " && mlxfwmanager -u -i /srv/firmware/nic-firmware-28.42.1000.bin -y");
        assertThat(FirmwareTools.tools(Set.of("nic-firmware", "nvswitch-firmware", "gpu-firmware")))
                .containsExactly(FirmwareTools.Tool.NVFWUPD, FirmwareTools.Tool.MLXFWMANAGER);
    }

    @Test
    void unsafeVersionsComponentsAndTemplatesAreRefused() {
        assertThatThrownBy(() -> FirmwareTools.image("/srv/{component}-{version}.bin", "nic-firmware", "1;reboot"))
                .hasMessageContaining("unsafe version");
        assertThatThrownBy(() -> FirmwareTools.image("/srv/{component}-{version}.bin", "bios", "1.0"))
                .hasMessageContaining("no host tool moves bios");
        assertThat(FirmwareTools.installTemplateProblem("mlxfwmanager -u -y")).contains("it must contain {image}");
        assertThat(FirmwareTools.installTemplateProblem("mlxfwmanager -u -i '{image}' -y")).get().asString().contains("single quotes");
        assertThat(FirmwareTools.installTemplateProblem("mlxfwmanager -u -i {image} -d {device}")).get().asString()
                .contains("only {image}");
        assertThat(FirmwareTools.installTemplateProblem(FirmwareTools.NVFWUPD_INSTALL)).isEmpty();
        assertThat(FirmwareTools.queryTemplateProblem(FirmwareTools.NVFWUPD_QUERY)).isEmpty();
    }
}
