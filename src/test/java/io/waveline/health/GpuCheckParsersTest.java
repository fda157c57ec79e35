package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.rollout.port.CheckContext;
import io.waveline.rollout.port.GpuBaseline;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import io.waveline.rollout.port.CommandResult;

/** The check parsers against output in the tools' real formats (shared/reference/gpu-health.md), good, bad and broken. */
class GpuCheckParsersTest {

    @Test
    void nvidiaSmiFailureStringsAndGarbage() {
        assertThat(NvidiaSmiQuery.parse(18, "Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 570.133\n"))
                .satisfies(r -> {
                    assertThat(r.mismatch()).isTrue();
                    assertThat(r.failure()).contains(NvidiaSmiQuery.MISMATCH);
                });
        assertThat(NvidiaSmiQuery.parse(9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. "
                + "Make sure that the latest NVIDIA driver is installed and running.\n").failure()).isPresent();
        assertThat(NvidiaSmiQuery.parse(6, "No devices were found\n").failure()).contains("No devices were found");
        assertThat(NvidiaSmiQuery.parse(0, "0, GPU-89fdc1e1-18b2-f499-c12b-82bcb9bfb3fa, 00000000:18:00.0, 580.126.09\n"
                + "1, GPU-6f0a").failure()).hasValueSatisfying(f -> assertThat(f).startsWith("unreadable nvidia-smi line"));
        assertThat(NvidiaSmiQuery.parse(255, "").failure()).contains("nvidia-smi exited with 255: (no output)");
        assertThat(NvidiaSmiQuery.parse(0, "0, GPU-89fdc1e1-18b2-f499-c12b-82bcb9bfb3fa, 00000000:18:00.0, 580.126.09\n").gpus())
                .singleElement().satisfies(g -> assertThat(g.driverVersion()).isEqualTo("580.126.09"));
    }

    @Test
    void driverVersionComparesKernelModuleAndNvml() {
        NvidiaSmiQuery.Result nvml = NvidiaSmiQuery.parse(0, "0, GPU-a, 00000000:18:00.0, 570.133.20\n");
        CommandResult kernel = new CommandResult(0, "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.127.05  Fri Sep 27 2024\n");
        CheckOutcome outcome = GpuHealthChecks.driverVersion(new CheckContext(java.util.Map.of("nvidia-driver", "570.133.20"), Optional.empty(), List.of()), nvml, kernel);
        assertThat(outcome.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(outcome.summary()).isEqualTo("expected driver 570.133.20, kernel module runs 550.127.05 and NVML reports 570.133.20");
    }

    @Test
    void xidLinesInTheFatalSetFailAndSayWhy() {
        String log = """
                [ 1021.1] NVRM: Xid (PCI:0000:10:1c): 63, pid=1896, Row Remapper: New row marked for remapping, reset gpu to activate.
                [ 2042.2] NVRM: Xid (PCI:0000:9b:00): 119, pid=2024380, name=nvidia-smi, Timeout after 6s of waiting for RPC response from GPU4 GSP! ...
                [ 3063.3] NVRM: Xid (PCI:0000:2b:00): 79, GPU has fallen off the bus.
                """;
        CheckOutcome outcome = XidScan.evaluate(log, XidScan.DEFAULT_FATAL);
        assertThat(outcome.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(outcome.cause()).isEqualTo(CheckOutcome.Cause.HARDWARE);
        assertThat(outcome.summary()).isEqualTo("XID 119 on 0000:9b:00 and 1 more fatal XID line(s): GSP error");
        assertThat(outcome.figures()).containsEntry("xids", List.of(63, 119, 79));

        CheckOutcome benign = XidScan.evaluate(log.lines().findFirst().orElseThrow(), XidScan.DEFAULT_FATAL);
        assertThat(benign.status()).isEqualTo(CheckStatus.WARN);
        assertThat(XidScan.evaluate("[    0.0] Linux version 6.8.0\n\u0000\u00ff garbage", XidScan.DEFAULT_FATAL).status())
                .isEqualTo(CheckStatus.PASS);
        assertThat(XidScan.evaluate("NVRM: Xid (PCI:0000:2b:00): 13, Graphics Exception", java.util.Set.of(13)).cause())
                .as("a fatal XID outside the hardware list points at the driver").isEqualTo(CheckOutcome.Cause.DRIVER);
    }

    static final String DCGM_4_FAIL = """
            Successfully ran diagnostic for group.
            {"DCGM Diagnostic":{"test_categories":[
              {"category":"Deployment","tests":[{"name":"software","results":[{"entity_group":"GPU","entity_group_id":1,"entity_id":0,"status":"Pass"}],"test_summary":{"status":"Pass"}}]},
              {"category":"Hardware","tests":[{"name":"memory","results":[
                 {"entity_group":"GPU","entity_group_id":1,"entity_id":0,"status":"Pass"},
                 {"entity_group":"GPU","entity_group_id":1,"entity_id":3,"status":"Fail","warnings":[{"warning":"DBE","error_id":83,"error_category":6,"error_severity":2}]}],
               "test_summary":{"status":"Fail"}}]}],
             "entity_groups":[{"entity_group":"GPU","entity_group_id":1}]},
             "metadata":{"Driver Version Detected":"570.133.20","version":"4.2.3"}}
            """;

    @Test
    void dcgmFourXFailureNamesTheTestAndGpu() {
        CheckOutcome outcome = DcgmDiag.evaluate(226, DCGM_4_FAIL, false);
        assertThat(outcome.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(outcome.cause()).isEqualTo(CheckOutcome.Cause.HARDWARE);
        assertThat(outcome.summary()).isEqualTo("DCGM diagnostic failed: memory on GPU 3");
    }

    @Test
    void dcgmThreeXSoftwareFailurePointsAtTheDriver() {
        String v3 = """
                {"DCGM GPU Diagnostic":{"test_categories":[{"category":"Deployment","tests":[
                  {"name":"Denylist","results":[{"gpu_id":"0","status":"Pass"}]},
                  {"name":"NVML Library","results":[{"gpu_id":"0","status":"Fail","warnings":[{"warning":"NVML mismatch"}]}]}]}]}}
                """;
        CheckOutcome outcome = DcgmDiag.evaluate(226, v3, false);
        assertThat(outcome.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(outcome.cause()).isEqualTo(CheckOutcome.Cause.DRIVER);
        assertThat(outcome.summary()).isEqualTo("DCGM diagnostic failed: NVML Library on GPU 0");
    }

    @Test
    void dcgmPassWarnAndBrokenOutput() {
        String pass = DCGM_4_FAIL.replace("\"status\":\"Fail\",\"warnings\":[{\"warning\":\"DBE\",\"error_id\":83,\"error_category\":6,\"error_severity\":2}]", "\"status\":\"Pass\"");
        assertThat(DcgmDiag.evaluate(0, pass, false).status()).isEqualTo(CheckStatus.PASS);
        String warn = pass.replace("\"entity_id\":3,\"status\":\"Pass\"", "\"entity_id\":3,\"status\":\"Warn\"");
        assertThat(DcgmDiag.evaluate(0, warn, true).status()).isEqualTo(CheckStatus.WARN);
        assertThat(DcgmDiag.evaluate(0, warn, false).status()).isEqualTo(CheckStatus.FAIL);
        assertThat(DcgmDiag.evaluate(0, DCGM_4_FAIL.substring(0, 200), false).summary()).contains("cannot be read (truncated?)");
        assertThat(DcgmDiag.evaluate(254, "Error: unable to connect to host engine", false).status()).isEqualTo(CheckStatus.ERROR);
        assertThat(DcgmDiag.evaluate(137, "", false).summary()).contains("killed by signal 9");
        assertThat(DcgmDiag.evaluate(0, "{\"something\":1}", false).status()).isEqualTo(CheckStatus.ERROR);
    }

    @Test
    void fabricManagerMustRunTheDriversExactVersion() {
        String journal = "Nov 25 nv-fabricmanager[104230]: fabric manager NVIDIA GPU driver interface version 550.127.05 "
                + "don't match with driver version 550.120. Please update with matching NVIDIA driver package.\n";
        CheckOutcome mismatch = FabricManagerCheck.evaluate("active\n", "Fabric Manager version is : 550.127.05\n", journal,
                Optional.of("550.120"));
        assertThat(mismatch.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(mismatch.summary()).startsWith("Fabric Manager and driver do not match: fabric manager NVIDIA GPU driver "
                + "interface version 550.127.05 don't match with driver version 550.120");
        assertThat(FabricManagerCheck.evaluate("failed\n", "", "", Optional.empty()).summary())
                .isEqualTo("Fabric Manager is not running (failed)");
        assertThat(FabricManagerCheck.evaluate("active\n", "Fabric Manager version is : 570.133.20\n", "", Optional.of("570.124.06"))
                .summary()).isEqualTo("Fabric Manager 570.133.20 does not match driver 570.124.06");
        assertThat(FabricManagerCheck.evaluate("active\n", "Fabric Manager version is : 570.133.20\n", "Started.", Optional.of("570.133.20"))
                .status()).isEqualTo(CheckStatus.PASS);
        assertThat(FabricManagerCheck.evaluate("", "\u0000garbage", "", Optional.of("570.133.20")).status()).isEqualTo(CheckStatus.FAIL);
    }

    /** The field list without page retirement (an Ampere or later GPU), as nvidia-smi is asked again. */
    static final List<String> OLD_FIELDS = GpuStateQuery.without(GpuStateQuery.FIELDS, "retired_pages.pending");

    @Test
    void gpuStateChecksJudgeVbiosModesEccAndClockEvents() {
        String good = "0, 96.00.99.00.01, Enabled, Disabled, 0, No, No, 0x0000000000000000\n"
                + "1, 96.00.99.00.01, Enabled, Disabled, 0, No, No, 0x0000000000000004\n";
        for (String check : List.of("vbios", "gpu-modes", "ecc", "clock-events")) {
            assertThat(GpuStateQuery.evaluate(check, OLD_FIELDS, 0, good, java.util.Map.of(), Optional.empty()).status()).as(check).isEqualTo(CheckStatus.PASS);
        }
        String bad = "0, 96.00.99.00.01, Disabled, Enabled, 3, Yes, No, 0x0000000000000048\n"
                + "1, 96.00.74.00.02, Enabled, Enabled, [N/A], [Not Supported], No, 0x0000000000000000\n";
        assertThat(GpuStateQuery.evaluate("vbios", OLD_FIELDS, 0, bad, java.util.Map.of(), Optional.empty()).summary())
                .isEqualTo("GPUs run different VBIOS versions: [96.00.99.00.01, 96.00.74.00.02]");
        assertThat(GpuStateQuery.evaluate("gpu-modes", OLD_FIELDS, 0, bad, java.util.Map.of(), Optional.empty()).summary()).isEqualTo("persistence mode off on GPU [0]");
        CheckOutcome ecc = GpuStateQuery.evaluate("ecc", OLD_FIELDS, 0, bad, java.util.Map.of(), Optional.empty());
        assertThat(ecc.cause()).isEqualTo(CheckOutcome.Cause.HARDWARE);
        assertThat(ecc.summary()).isEqualTo("GPU 0: 3 uncorrectable ECC errors; GPU 0: row remap pending");
        assertThat(GpuStateQuery.evaluate("ecc", OLD_FIELDS, 0, bad, java.util.Map.of("maxUncorrectedVolatile", 5), Optional.empty()).summary())
                .isEqualTo("GPU 0: row remap pending");
        assertThat(GpuStateQuery.evaluate("clock-events", OLD_FIELDS, 0, bad, java.util.Map.of(), Optional.empty()).summary())
                .isEqualTo("GPU 0: HW slowdown, HW thermal slowdown");
        assertThat(GpuStateQuery.evaluate("vbios", OLD_FIELDS, 0, good, java.util.Map.of("expected", "96.00.74.00.02"), Optional.empty()).summary())
                .isEqualTo("VBIOS 96.00.99.00.01, expected 96.00.74.00.02");
        assertThat(GpuStateQuery.evaluate("ecc", OLD_FIELDS, 0, "0, 96.00.99.00.01, Enabled\n", java.util.Map.of(), Optional.empty()).status())
                .isEqualTo(CheckStatus.ERROR);
        assertThat(GpuStateQuery.evaluate("ecc", OLD_FIELDS, 2, "Field \"retired_pages.pending\" is not a valid field to query.", java.util.Map.of(), Optional.empty())
                .status()).isEqualTo(CheckStatus.ERROR);
    }

    static final String NCCL = """
            #       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong
            #        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)
                 8388608       2097152     float     sum      -1    120.3   69.73  122.03      0    119.9   69.96  122.43      0
              1073741824     268435456     float     sum      -1   8109.1  132.41  231.72      0   8109.7  132.40  231.70      0
            # Out of bounds values : 0 OK
            # Avg bus bandwidth    : 210.99
            """;

    @Test
    void ncclBandwidthOfTheLargestMessageAgainstTheThreshold() {
        CheckOutcome low = NcclAllReduce.evaluate(NCCL, 460);
        assertThat(low.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(low.summary()).isEqualTo("bus bandwidth 231.7 GB/s below the threshold 460.0 GB/s");
        assertThat(low.figures()).containsEntry("busbwGBps", 231.72);
        assertThat(NcclAllReduce.evaluate(NCCL, 200).status()).isEqualTo(CheckStatus.PASS);
        assertThat(NcclAllReduce.evaluate(NCCL.replace("0 OK", "3 FAILED"), 200).summary())
                .isEqualTo("3 out-of-bounds values in all_reduce_perf (wrong results)");
    }

    @Test
    void ncclOldFormatAndTruncatedOutput() {
        String old = """
                #       size         count    type   redop     time   algbw   busbw  error     time   algbw   busbw  error
                #        (B)    (elements)                     (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)
                  1073741824     268435456   float     sum   8109.1  132.41  470.10  0e+00   8109.7  132.40  470.00  0e+00
                # Out of bounds values : 0 OK
                # Avg bus bandwidth    : 470.05
                """;
        assertThat(NcclAllReduce.evaluate(old, 460).figures()).containsEntry("busbwGBps", 470.10);
        assertThat(NcclAllReduce.evaluate(NCCL.substring(0, 250), 460).status()).isEqualTo(CheckStatus.ERROR);
        assertThat(NcclAllReduce.evaluate("bash: all_reduce_perf: command not found", 460).status()).isEqualTo(CheckStatus.ERROR);
    }

    static final String NVLINK = """
            GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-89fdc1e1-18b2-f499-c12b-82bcb9bfb3fa)
            	 Link 0: 26.562 GB/s
            	 Link 1: 26.562 GB/s
            GPU 1: NVIDIA H100 80GB HBM3 (UUID: GPU-0c3ab0a2-5b1e-4d52-9c7e-2f0f9c6f1d11)
            	 Link 0: 26.562 GB/s
            	 Link 1: <inactive>
            """;

    @Test
    void nvlinkStatusAgainstTheBaseline() {
        CheckOutcome down = NvlinkStatus.evaluate(0, NVLINK, Optional.empty());
        assertThat(down.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(down.summary()).isEqualTo("1 link(s) down: GPU 1 link 1");
        assertThat(down.signature()).isEqualTo("nvlink-down");
        String allUp = NVLINK.replace("<inactive>", "26.562 GB/s");
        assertThat(NvlinkStatus.evaluate(0, allUp, Optional.empty()).summary()).isEqualTo("all 4 NVLinks up");
        GpuBaseline before = new GpuBaseline(List.of(), java.util.Map.of(0, 2, 1, 3), null);
        assertThat(NvlinkStatus.evaluate(0, allUp, Optional.of(before)).summary()).isEqualTo("GPU 1: 2 of 3 links up");
        String noneUp = NVLINK.replace("26.562 GB/s", "<inactive>");
        assertThat(NvlinkStatus.evaluate(0, noneUp, Optional.empty()).cause()).as("every link down: driver or Fabric Manager")
                .isEqualTo(CheckOutcome.Cause.DRIVER);
        assertThat(NvlinkStatus.evaluate(0, "", Optional.empty()).status()).as("no NVLink at all").isEqualTo(CheckStatus.PASS);
        assertThat(NvlinkStatus.evaluate(9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
                Optional.empty()).status()).isEqualTo(CheckStatus.ERROR);
        assertThat(NvlinkStatus.evaluate(0, "\u0000\u0001 garbage\nLink x: y", Optional.empty()).status()).isEqualTo(CheckStatus.ERROR);
        assertThat(NvlinkStatus.evaluate(0, NVLINK.substring(0, 60), Optional.empty()).status()).as("truncated after the header")
                .isEqualTo(CheckStatus.PASS);
    }

    @Test
    void amdVersionsFromAmdSmiOrRocmSmi() {
        String amdSmi = "[{\"tool\": \"AMDSMI Tool\",\"version\": \"26.2.0+021c61fc\",\"amdsmi_library_version\": \"26.2.0\","
                + "\"rocm_version\": \"7.0.2\",\"amdgpu_version\": \"6.16.6\",\"amd_hsmp_driver_version\": \"N/A\"}]";
        assertThat(AmdSmiVersion.evaluate(0, amdSmi, java.util.Map.of("amdgpu-driver", "6.16.6", "rocm", "7.0.2")).summary())
                .isEqualTo("amdgpu 6.16.6, ROCm 7.0.2");
        CheckOutcome old = AmdSmiVersion.evaluate(0, amdSmi, java.util.Map.of("amdgpu-driver", "6.16.7"));
        assertThat(old.status()).isEqualTo(CheckStatus.FAIL);
        assertThat(old.summary()).isEqualTo("amdgpu driver 6.16.6, expected 6.16.7");
        String rocm = "{\"system\": {\"Driver version\": \"6.7.0\"}}";
        assertThat(AmdSmiVersion.evaluate(0, rocm, java.util.Map.of("amdgpu-driver", "6.7.0")).summary()).isEqualTo("amdgpu 6.7.0");
        assertThat(AmdSmiVersion.evaluate(0, amdSmi.substring(0, 50), java.util.Map.of()).status()).isEqualTo(CheckStatus.ERROR);
        assertThat(AmdSmiVersion.evaluate(0, "garbage", java.util.Map.of()).status()).isEqualTo(CheckStatus.ERROR);
        assertThat(AmdSmiVersion.evaluate(127, "sh: 1: amd-smi: not found", java.util.Map.of()).status()).isEqualTo(CheckStatus.ERROR);
        assertThat(AmdSmiVersion.evaluate(0, "{\"card0\": {\"Card Series\": \"Instinct MI300X\"}}", java.util.Map.of()).summary())
                .isEqualTo("AMD tools unreadable (neither amd-smi nor rocm-smi JSON)");
    }

    @Test
    void theBaselineCatchesMissingGpusChangedMigAndVbios() {
        NvidiaSmiQuery.Result eight = NvidiaSmiQuery.parse(0, java.util.stream.IntStream.range(0, 8)
                .mapToObj(i -> i + ", GPU-" + i + ", 00000000:" + (10 + i) + ":00.0, 570.133.20").reduce("", (a, b) -> a + b + "\n"));
        List<String> fields = OLD_FIELDS;
        String state = java.util.stream.IntStream.range(0, 8).mapToObj(i -> i + ", 96.00.99.00.01, Enabled, "
                + (i == 2 ? "Enabled" : "Disabled") + ", 0, No, No, 0x0").reduce("", (a, b) -> a + b + "\n");
        GpuBaseline baseline = GpuBaselines.of(eight, GpuStateQuery.parse(fields, 0, state),
                Optional.of(NvlinkStatus.parse(0, NVLINK.replace("<inactive>", "26.562 GB/s"))));
        assertThat(baseline.problem()).isNull();
        assertThat(baseline.describe()).isEqualTo("8 GPUs, 4 NVLinks up");

        NvidiaSmiQuery.Result seven = NvidiaSmiQuery.parse(0, java.util.stream.IntStream.of(0, 1, 2, 4, 5, 6, 7)
                .mapToObj(i -> i + ", GPU-" + i + ", 00000000:" + (10 + i) + ":00.0, 570.133.20").reduce("", (a, b) -> a + b + "\n"));
        CheckOutcome inventory = GpuHealthChecks.gpuInventory(baseline, seven, "");
        assertThat(inventory.summary()).isEqualTo("GPU 3 (00000000:13:00.0) missing: 7 of 8 GPUs after the upgrade");
        assertThat(GpuHealthChecks.gpuInventory(baseline, eight, "").status()).isEqualTo(CheckStatus.PASS);

        String migOff = state.replace("Enabled, Enabled", "Enabled, Disabled");
        assertThat(GpuStateQuery.evaluate("gpu-modes", fields, 0, migOff, java.util.Map.of(), Optional.of(baseline)).summary())
                .isEqualTo("MIG mode changed by the upgrade: GPU 2 Enabled before, Disabled now");
        String newVbios = state.replace("96.00.99.00.01", "96.00.A1.00.01");
        assertThat(GpuStateQuery.evaluate("vbios", fields, 0, newVbios, java.util.Map.of(), Optional.of(baseline)).summary())
                .isEqualTo("GPU 0 VBIOS changed from 96.00.99.00.01 to 96.00.A1.00.01 during a driver upgrade");
        assertThat(GpuStateQuery.evaluate("vbios", fields, 0, newVbios, java.util.Map.of("expected", "96.00.A1.00.01"),
                Optional.of(baseline)).status()).as("a firmware plan names the new VBIOS").isEqualTo(CheckStatus.PASS);

        GpuBaseline broken = GpuBaselines.of(NvidiaSmiQuery.parse(9, "NVIDIA-SMI has failed because it couldn't communicate with"
                + " the NVIDIA driver."), Optional.empty(), Optional.empty());
        assertThat(broken.count()).isZero();
        assertThat(broken.problem()).startsWith("nvidia-smi: NVIDIA-SMI has failed");
    }

    @Test
    void theStateQueryIsAskedAgainWithoutFieldsTheGpuLacks() {
        assertThat(GpuStateQuery.invalidField("Field \"retired_pages.pending\" is not a valid field to query.\n"))
                .contains("retired_pages.pending");
        assertThat(GpuStateQuery.invalidField("garbage")).isEmpty();
        assertThat(GpuStateQuery.without(GpuStateQuery.FIELDS, "retired_pages.pending")).doesNotContain("retired_pages.pending")
                .hasSize(GpuStateQuery.FIELDS.size() - 1);
        assertThat(GpuStateQuery.without(GpuStateQuery.FIELDS, GpuStateQuery.CLOCK_EVENTS)).contains(GpuStateQuery.CLOCK_THROTTLE)
                .doesNotContain(GpuStateQuery.CLOCK_EVENTS);
        List<String> pre = GpuStateQuery.without(GpuStateQuery.without(GpuStateQuery.FIELDS, "remapped_rows.pending"),
                "remapped_rows.failure");
        CheckOutcome pending = GpuStateQuery.evaluate("ecc", pre, 0, "0, 88.00.4F.00.09, Enabled, [N/A], 0, Yes, 0x0\n",
                java.util.Map.of(), Optional.empty());
        assertThat(pending.summary()).isEqualTo("GPU 0: page retirement pending");
        assertThat(pending.cause()).isEqualTo(CheckOutcome.Cause.HARDWARE);
    }
}
