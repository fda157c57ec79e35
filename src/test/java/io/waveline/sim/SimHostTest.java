package io.waveline.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.waveline.health.GpuStateQuery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.upgrade.PackageCommands;
import io.waveline.upgrade.PackageManager;

/** A simulated host answers like a real one, in the tools' real formats. */
class SimHostTest {

    static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    static final String SMI = "nvidia-smi --query-gpu=index,uuid,pci.bus_id,driver_version --format=csv,noheader";

    static SimHost host(Set<SimFault> faultsOfNewDriver) {
        return new SimHost("gpu-h100-01", 8, Map.of("nvidia-driver", "550.127.05", "nvidia-fabricmanager", "550.127.05"),
                version -> "570.133.20".equals(version) ? faultsOfNewDriver : Set.of(), Duration.ofSeconds(10),
                Duration.ofSeconds(30));
    }

    static void upgradeAndReboot(SimHost host) throws NodeUnreachableException {
        host.exec(PackageCommands.install(PackageManager.APT, "wl-1-up",
                Map.of("nvidia-driver", "570.133.20", "nvidia-fabricmanager", "570.133.20")), T0);
        assertThat(host.exec(PackageCommands.jobStatus("wl-1-up"), T0.plusSeconds(5)).output()).isEqualTo("running\n");
        assertThat(host.exec(PackageCommands.jobStatus("wl-1-up"), T0.plusSeconds(10)).output()).startsWith("rc 0\n");
        CommandResult mismatch = host.exec(SMI, T0.plusSeconds(11));
        assertThat(mismatch.exitStatus()).isEqualTo(18);
        assertThat(mismatch.output()).startsWith("Failed to initialize NVML: Driver/library version mismatch");
        host.exec(PackageCommands.reboot(), T0.plusSeconds(12));
        assertThatThrownBy(() -> host.exec("cat /proc/sys/kernel/random/boot_id", T0.plusSeconds(20)))
                .isInstanceOf(NodeUnreachableException.class);
    }

    @Test
    void anInstalledDriverRunsOnlyAfterTheRebootWithANewBootId() throws Exception {
        SimHost host = host(Set.of());
        String bootBefore = host.exec("cat /proc/sys/kernel/random/boot_id", T0).output();
        upgradeAndReboot(host);
        Instant up = T0.plusSeconds(60);
        assertThat(host.exec("cat /proc/sys/kernel/random/boot_id", up).output()).isNotEqualTo(bootBefore);
        assertThat(host.exec(SMI, up).output().lines()).hasSize(8)
                .allMatch(l -> l.matches("\\d, GPU-[0-9a-f-]{36}, 00000000:[0-9A-F]{2}:00\\.0, 570\\.133\\.20"));
        assertThat(host.exec("cat /proc/driver/nvidia/version", up).output())
                .startsWith("NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  570.133.20  Release Build");
        assertThat(PackageManager.APT.parseInstalled(host.exec(PackageManager.APT.installedQuery(), up).output()))
                .containsEntry("nvidia-fabricmanager", "570.133.20");
        assertThat(host.installs()).isEqualTo(1);
        assertThat(host.exec(PackageCommands.install(PackageManager.APT, "wl-1-up", Map.of("nvidia-driver", "570.133.20")), up)
                .output()).as("the same job id is not started twice").isEqualTo("exists\n");
        assertThat(host.installs()).isEqualTo(1);
    }

    @Test
    void gpuToolsAnswerInTheirRealFormats() throws Exception {
        SimHost host = host(EnumSet.of(SimFault.XID_79, SimFault.DCGM_FAILS, SimFault.NCCL_LOW));
        upgradeAndReboot(host);
        Instant up = T0.plusSeconds(60);
        assertThat(host.exec("dmesg --ctime", up).output()).contains("NVRM: Xid (PCI:0000:5d:00): 79, GPU has fallen off the bus.");
        CommandResult dcgm = host.exec("dcgmi diag -r 1 -j", up);
        assertThat(dcgm.exitStatus()).isEqualTo(226);
        JsonNode diag = new ObjectMapper().readTree(dcgm.output()).get("DCGM Diagnostic");
        assertThat(diag.get("test_categories").get(1).get("tests").get(0).get("test_summary").get("status").asText())
                .isEqualTo("Fail");
        assertThat(host.exec("/opt/nccl-tests/build/all_reduce_perf -b 1G -e 1G -g 8", up).output())
                .contains("# Out of bounds values : 0 OK").contains("# Avg bus bandwidth    : 190.42");

        SimHost healthy = host(Set.of());
        upgradeAndReboot(healthy);
        assertThat(healthy.exec("dmesg", up).output()).doesNotContain("Xid");
        assertThat(healthy.exec("dcgmi diag -r 3 -j", up).exitStatus()).isZero();
        assertThat(healthy.exec("all_reduce_perf -b 1G -e 1G -g 8", up).output()).contains("# Avg bus bandwidth    : 471.18");
    }

    @Test
    void aDoubleBitErrorShowsInTheKernelLogAndTheEccCounters() throws Exception {
        SimHost host = host(EnumSet.of(SimFault.XID_48));
        upgradeAndReboot(host);
        Instant up = T0.plusSeconds(60);
        assertThat(host.exec("dmesg", up).output()).contains("NVRM: Xid (PCI:0000:5d:00): 48,");
        CommandResult refused = host.exec(GpuStateQuery.COMMAND, up);
        assertThat(refused.exitStatus()).isEqualTo(2);
        assertThat(GpuStateQuery.invalidField(refused.output())).contains("retired_pages.pending");
        List<String> fields = GpuStateQuery.without(GpuStateQuery.FIELDS, "retired_pages.pending");
        CommandResult state = host.exec(GpuStateQuery.command(fields), up);
        assertThat(GpuStateQuery.evaluate("ecc", fields, state.exitStatus(), state.output(), Map.of(), Optional.empty()).summary())
                .isEqualTo("GPU 3: 2 uncorrectable ECC errors; GPU 3: row remap pending");
        assertThat(GpuStateQuery.evaluate("clock-events", fields, state.exitStatus(), state.output(), Map.of(), Optional.empty())
                .status()).isEqualTo(io.waveline.rollout.port.CheckStatus.PASS);
    }

    static SimHost hostOf(String vendor, String model, int gpus, Map<String, String> versions, Set<SimFault> faults) {
        return new SimHost("host-" + model.toLowerCase().replace(' ', '-'), new SimHardware(vendor, model, gpus, false),
                versions, version -> faults, Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    @Test
    void eachGpuGenerationRefusesTheFieldsItLacksAndOlderToolsPrintOlderFormats() throws Exception {
        Map<String, String> driver535 = Map.of("nvidia-driver", "535.216.01", "nvidia-fabricmanager", "535.216.01");
        SimHost v100 = hostOf("nvidia", "V100-SXM2-32GB", 8, Map.of("nvidia-driver", "470.256.02"), Set.of());
        CommandResult refused = v100.exec(GpuStateQuery.COMMAND, T0);
        assertThat(GpuStateQuery.invalidField(refused.output())).contains("remapped_rows.pending");
        List<String> fields = GpuStateQuery.without(GpuStateQuery.without(GpuStateQuery.FIELDS, "remapped_rows.pending"),
                "remapped_rows.failure");
        assertThat(GpuStateQuery.invalidField(v100.exec(GpuStateQuery.command(fields), T0).output()))
                .as("driver 470 does not know clocks_event_reasons").contains(GpuStateQuery.CLOCK_EVENTS);
        fields = GpuStateQuery.without(fields, GpuStateQuery.CLOCK_EVENTS);
        assertThat(fields).contains(GpuStateQuery.CLOCK_THROTTLE, "retired_pages.pending");
        CommandResult state = v100.exec(GpuStateQuery.command(fields), T0);
        assertThat(GpuStateQuery.evaluate("ecc", fields, state.exitStatus(), state.output(), Map.of(), Optional.empty()).status())
                .isEqualTo(io.waveline.rollout.port.CheckStatus.PASS);
        assertThat(GpuStateQuery.evaluate("clock-events", fields, state.exitStatus(), state.output(), Map.of(), Optional.empty())
                .status()).isEqualTo(io.waveline.rollout.port.CheckStatus.PASS);

        SimHost a100 = hostOf("nvidia", "A100-SXM4-80GB", 8, driver535, Set.of(SimFault.DCGM_FAILS, SimFault.NCCL_LOW));
        CommandResult dcgm = a100.exec("dcgmi diag -r 2 -j", T0);
        assertThat(dcgm.output()).contains("\"DCGM GPU Diagnostic\"").contains("\"gpu_id\":\"3\"");
        assertThat(io.waveline.health.DcgmDiag.evaluate(dcgm.exitStatus(), dcgm.output(), false).summary())
                .isEqualTo("DCGM diagnostic failed: GPU Memory on GPU 3");
        CommandResult nccl = a100.exec("all_reduce_perf -b 1G -e 1G -f 2 -g 8", T0);
        assertThat(nccl.output()).contains("  error     time").doesNotContain("#wrong");
        assertThat(io.waveline.health.NcclAllReduce.evaluate(nccl.output(), 200).summary())
                .isEqualTo("bus bandwidth 150.3 GB/s below the threshold 200.0 GB/s");
        assertThat(io.waveline.health.NvlinkStatus.evaluate(0, a100.exec("nvidia-smi nvlink -s", T0).output(), Optional.empty())
                .summary()).isEqualTo("all 96 NVLinks up");

        SimHost l40s = hostOf("nvidia", "L40S", 4, Map.of("nvidia-driver", "550.127.05"), Set.of());
        CommandResult links = l40s.exec("nvidia-smi nvlink -s", T0);
        assertThat(io.waveline.health.NvlinkStatus.evaluate(links.exitStatus(), links.output(), Optional.empty()).summary())
                .isEqualTo("no NVLink on these GPUs");

        SimHost mi300x = hostOf("amd", "Instinct MI300X", 8, Map.of("amdgpu-driver", "6.7.0", "rocm", "6.2.0"), Set.of());
        CommandResult amd = mi300x.exec("amd-smi version --json", T0);
        assertThat(io.waveline.health.AmdSmiVersion.evaluate(amd.exitStatus(), amd.output(), Map.of("amdgpu-driver", "6.7.0"))
                .summary()).isEqualTo("amdgpu 6.7.0, ROCm 6.2.0");
        assertThat(mi300x.exec(SMI, T0).exitStatus()).isEqualTo(127);
    }

    @Test
    void aHeldHeavyCheckRunsPastItsTimeAndEndsWhenReleased() throws Exception {
        SimHost host = hostOf("nvidia", "H100-SXM5-80GB", 8, Map.of("nvidia-driver", "570.133.20",
                "nvidia-fabricmanager", "570.133.20"), Set.of());
        host.holdHeavyChecks(true, T0);
        host.exec(io.waveline.rollout.port.DetachedJob.start("wl-1-chk-0", "dcgmi diag -r 3 -j"), T0);
        assertThat(io.waveline.rollout.port.DetachedJob.parseStatus(host.exec(io.waveline.rollout.port.DetachedJob.status("wl-1-chk-0", 60000),
                T0.plusSeconds(90)).output()).state()).as("held past its 60 s").isEqualTo(io.waveline.rollout.port.JobStatus.State.RUNNING);
        host.holdHeavyChecks(false, T0.plusSeconds(100));
        io.waveline.rollout.port.JobStatus done = io.waveline.rollout.port.DetachedJob.parseStatus(host.exec(
                io.waveline.rollout.port.DetachedJob.status("wl-1-chk-0", 60000), T0.plusSeconds(101)).output());
        assertThat(done.succeeded()).isTrue();
        assertThat(host.burnIns()).as("it ran until released").singleElement()
                .satisfies(i -> assertThat(Duration.between(i[0], i[1])).hasSeconds(100));
    }

    @Test
    void heavyChecksRunAsJobsThatTakeTheirTimeAndAnNvlinkGoesDown() throws Exception {
        SimHost host = hostOf("nvidia", "H100-SXM5-80GB", 8, Map.of("nvidia-driver", "570.133.20",
                "nvidia-fabricmanager", "570.133.20"), Set.of(SimFault.NVLINK_DOWN));
        host.exec(io.waveline.rollout.port.DetachedJob.start("wl-1-chk-0", "dcgmi diag -r 3 -j"), T0);
        assertThat(io.waveline.rollout.port.DetachedJob.parseStatus(host.exec(io.waveline.rollout.port.DetachedJob.status("wl-1-chk-0", 60000),
                T0.plusSeconds(59)).output()).state()).isEqualTo(io.waveline.rollout.port.JobStatus.State.RUNNING);
        io.waveline.rollout.port.JobStatus done = io.waveline.rollout.port.DetachedJob.parseStatus(host.exec(
                io.waveline.rollout.port.DetachedJob.status("wl-1-chk-0", 60000), T0.plusSeconds(60)).output());
        assertThat(done.succeeded()).isTrue();
        assertThat(io.waveline.health.DcgmDiag.evaluate(done.exitStatus(), done.output(), false).status())
                .isEqualTo(io.waveline.rollout.port.CheckStatus.PASS);
        assertThat(host.burnIns()).singleElement().satisfies(i -> assertThat(Duration.between(i[0], i[1])).hasSeconds(60));
        CommandResult links = host.exec("nvidia-smi nvlink -s", T0);
        assertThat(links.output()).contains("GPU 2: NVIDIA H100 SXM5 80GB (UUID: GPU-").contains("Link 5: <inactive>");
        io.waveline.rollout.port.CheckOutcome nvlink = io.waveline.health.NvlinkStatus.evaluate(links.exitStatus(), links.output(),
                Optional.empty());
        assertThat(nvlink.summary()).isEqualTo("1 link(s) down: GPU 2 link 5");
        assertThat(nvlink.cause()).isEqualTo(io.waveline.rollout.port.CheckOutcome.Cause.HARDWARE);
    }

    @Test
    void installFailureLooksLikeApt() throws Exception {
        SimHost host = host(EnumSet.of(SimFault.INSTALL_FAILS));
        host.exec(PackageCommands.install(PackageManager.APT, "wl-2-up", Map.of("nvidia-driver", "570.133.20")), T0);
        CommandResult status = host.exec(PackageCommands.jobStatus("wl-2-up"), T0.plusSeconds(10));
        assertThat(status.output()).startsWith("rc 100\nE: Sub-process /usr/bin/dpkg returned an error code (1)");
        assertThat(host.installedVersions()).containsEntry("nvidia-driver", "550.127.05");
    }
}
