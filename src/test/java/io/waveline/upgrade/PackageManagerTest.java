package io.waveline.upgrade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class PackageManagerTest {

    static final Map<String, String> BUNDLE = Map.of("nvidia-driver", "570.133.20", "nvidia-fabricmanager", "570.133.20");

    @Test
    void aptInstallsBothPackagesInOneTransactionAndHoldsThem() {
        assertThat(PackageManager.APT.installWork(BUNDLE)).isEqualTo("apt-mark unhold nvidia-driver-570 "
                + "nvidia-fabricmanager-570; apt-get install -y --allow-downgrades --allow-change-held-packages "
                + "nvidia-driver-570=570.133.20-1 nvidia-fabricmanager-570=570.133.20-1 && apt-mark hold "
                + "nvidia-driver-570 nvidia-fabricmanager-570");
    }

    /**
     * From R580 on Fabric Manager's packages are renamed (NVIDIA/gpu-driver-container#451, #585, #898): Ubuntu installs
     * {@code nvidia-fabricmanager=<version>-1}, RHEL {@code nvidia-fabricmanager-<version>}; the driver keeps its names.
     */
    @Test
    void fromR580FabricManagerIsInstalledUnderItsNewName() {
        Map<String, String> r580 = Map.of("nvidia-driver", "580.65.06", "nvidia-fabricmanager", "580.65.06");
        assertThat(PackageManager.APT.installWork(r580)).contains("nvidia-driver-580=580.65.06-1 nvidia-fabricmanager=580.65.06-1")
                .endsWith("apt-mark hold nvidia-driver-580 nvidia-fabricmanager");
        assertThat(PackageManager.DNF.installWork(r580)).contains("nvidia-driver-3:580.65.06 nvidia-fabricmanager-580.65.06")
                .endsWith("dnf versionlock add nvidia-driver nvidia-fabricmanager");
        assertThat(PackageManager.APT.installWork(BUNDLE)).as("570 keeps the branch-suffixed name").contains("nvidia-fabricmanager-570=");
    }

    /** The simulator installs and reports R580's names as the real repositories do, and Waveline reads them back. */
    @Test
    void anR580InstallOnTheSimulatorReadsBackUnderTheNewName() throws Exception {
        io.waveline.sim.SimHost host = new io.waveline.sim.SimHost("gpu-h100-01", 8, Map.of("nvidia-driver", "570.133.20",
                "nvidia-fabricmanager", "570.133.20"), version -> java.util.Set.of(), java.time.Duration.ZERO, java.time.Duration.ZERO);
        java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");
        Map<String, String> r580 = Map.of("nvidia-driver", "580.65.06", "nvidia-fabricmanager", "580.65.06");
        for (PackageManager manager : PackageManager.values()) {
            host.exec(PackageCommands.install(manager, "wl-" + manager.name().toLowerCase() + "-up", r580), now);
            String query = host.exec(manager.installedQuery(), now.plusSeconds(1)).output();
            assertThat(query).contains(manager == PackageManager.APT ? "nvidia-fabricmanager 580.65.06-1" : "nvidia-fabricmanager 580.65.06");
            assertThat(manager.parseInstalled(query)).isEqualTo(r580);
        }
    }

    @Test
    void withoutHoldsAnEarlierHoldIsReleasedAndNoneIsSet() {
        String work = PackageManager.APT.installWork(BUNDLE, PackageManager.APT.unpinnedTemplate());
        assertThat(work).startsWith("apt-mark unhold nvidia-driver-570 nvidia-fabricmanager-570; apt-get install").doesNotContain("apt-mark hold");
        assertThat(PackageManager.DNF.installWork(BUNDLE, PackageManager.DNF.unpinnedTemplate())).doesNotContain("versionlock add");
        assertThat(PackageManager.templateProblem(PackageManager.APT.unpinnedTemplate())).isEmpty();
    }

    /** The sudo wrapping is read by a real sh: {@code env} stands in for {@code sudo -n}, which needs no password here. */
    @Test
    void aCommandRunAsRootKeepsItsQuotesAndItsCompoundParts() throws Exception {
        String detached = io.waveline.rollout.port.DetachedJob.start("wl-7-up", "echo 'held: a b' && echo second");
        assertThat(PackageCommands.asRoot(detached)).startsWith("sudo -n sh -c 'mkdir -p ");
        String probe = "printf '%s|' 'one two' \"it's\"; echo done";
        Process sh = new ProcessBuilder("sh", "-c", PackageCommands.asRoot(probe).replaceFirst("^sudo -n ", "env ")).start();
        assertThat(new String(sh.getInputStream().readAllBytes())).isEqualTo("one two|it's|done\n");
        assertThat(sh.waitFor()).isZero();
    }

    @Test
    void dnfInstallsBothPackagesAndLocksTheirVersions() {
        assertThat(PackageManager.DNF.installWork(BUNDLE)).isEqualTo("dnf versionlock delete nvidia-driver "
                + "nvidia-fabric-manager; dnf install -y --allowerasing nvidia-driver-3:570.133.20 "
                + "nvidia-fabric-manager-570.133.20 && dnf versionlock add nvidia-driver nvidia-fabric-manager");
        assertThat(PackageManager.of(Optional.of("yum"))).isEqualTo(PackageManager.DNF);
        assertThat(PackageManager.of(Optional.empty())).isEqualTo(PackageManager.APT);
    }

    @Test
    void installedVersionsAreReadFromEachToolsOutput() {
        assertThat(PackageManager.APT.parseInstalled("nvidia-driver-550 550.127.05-0ubuntu1\n"
                + "nvidia-fabricmanager-550 550.127.05-1\nnvidia-driver-common 1.0\n"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("nvidia-driver", "550.127.05", "nvidia-fabricmanager", "550.127.05"));
        assertThat(PackageManager.DNF.parseInstalled("nvidia-driver 570.133.20\npackage nvidia-fabric-manager is not installed\n"))
                .containsExactlyEntriesOf(Map.of("nvidia-driver", "570.133.20"));
        assertThat(PackageManager.APT.parseInstalled("garbage\n\n")).isEmpty();
    }

    @Test
    void installTemplatesAreConfigurableButChecked() {
        assertThat(PackageManager.APT.installWork(Map.of("nvidia-driver", "570.133.20"),
                "apt-get install -y -o Dpkg::Options::=--force-confold {packages}"))
                .isEqualTo("apt-get install -y -o Dpkg::Options::=--force-confold nvidia-driver-570=570.133.20-1");
        assertThat(PackageManager.templateProblem("apt-get install {packages} && echo '{x}'")).isPresent();
        assertThat(PackageManager.templateProblem("apt-get update")).contains("it must contain {packages}");
        assertThat(PackageManager.templateProblem("dnf install {packages} {user}")).contains("only {packages} and {names} may be substituted");
        assertThat(PackageManager.templateProblem(PackageManager.DNF.defaultTemplate())).isEmpty();
    }

    @Test
    void unsafeValuesNeverReachACommand() {
        assertThatThrownBy(() -> PackageManager.APT.installWork(Map.of("nvidia-driver", "570; reboot")))
                .hasMessageContaining("refusing unsafe version");
        assertThatThrownBy(() -> PackageManager.DNF.installWork(Map.of("gpu-firmware", "1.0")))
                .hasMessageContaining("cannot install gpu-firmware");
        assertThatThrownBy(() -> PackageCommands.install(PackageManager.APT, "job'; rm -rf /", BUNDLE))
                .hasMessageContaining("refusing unsafe job id");
    }
}
