package io.waveline.sim;

import java.util.Locale;
import java.util.Set;

/**
 * What the GPU tools of a simulated host print, in the real formats of {@code shared/reference/gpu-health.md}:
 * the kernel log with NVRM XID lines, {@code dcgmi diag -j} (DCGM 4.x JSON, exit 226 on a failure) and NCCL
 * {@code all_reduce_perf}.
 */
final class SimOutputs {

    private SimOutputs() {
    }

    static String kernelLog(Set<SimFault> faults) {
        StringBuilder log = new StringBuilder();
        log.append("[    0.000000] Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) #45-Ubuntu SMP\n");
        log.append("[    4.211034] nvidia: module license 'NVIDIA' taints kernel.\n");
        log.append("[    4.512871] nvidia-nvlink: Nvlink Core is being initialized, major device number 235\n");
        log.append("[    5.104522] NVRM: loading NVIDIA UNIX Open Kernel Module for x86_64\n");
        if (faults.contains(SimFault.XID_48)) {
            log.append("[  312.918273] NVRM: Xid (PCI:0000:5d:00): 48, pid=2209, name=python3, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 0, subpartition 1.\n");
        }
        if (faults.contains(SimFault.XID_79)) {
            log.append("[  418.337105] NVRM: Xid (PCI:0000:5d:00): 79, GPU has fallen off the bus.\n");
        }
        if (faults.contains(SimFault.XID_119)) {
            log.append("[  520.004411] NVRM: Xid (PCI:0000:5d:00): 119, pid=2024380, name=nvidia-smi, Timeout after 6s of waiting for RPC response from GPU3 GSP! Expected function 76 (GSP_RM_CONTROL) (0x20801348 0x410).\n");
        }
        return log.toString();
    }

    static String dcgmDiag(String host, int gpus, String driver, boolean memoryFails) {
        StringBuilder results = new StringBuilder();
        StringBuilder memory = new StringBuilder();
        for (int gpu = 0; gpu < gpus; gpu++) {
            results.append(gpu == 0 ? "" : ",").append("{\"entity_group\":\"GPU\",\"entity_group_id\":1,\"entity_id\":")
                    .append(gpu).append(",\"status\":\"Pass\"}");
            boolean bad = memoryFails && gpu == 3;
            memory.append(gpu == 0 ? "" : ",").append("{\"entity_group\":\"GPU\",\"entity_group_id\":1,\"entity_id\":")
                    .append(gpu).append(",\"status\":\"").append(bad ? "Fail" : "Pass").append('"');
            if (bad) {
                memory.append(",\"warnings\":[{\"warning\":\"Error using CUDA API cudaMalloc: out of memory on GPU 3\","
                        + "\"error_id\":83,\"error_category\":6,\"error_severity\":2}]");
            }
            memory.append('}');
        }
        String test = "{\"name\":\"%s\",\"results\":[%s],\"test_summary\":{\"status\":\"%s\"}}";
        return "{\"DCGM Diagnostic\":{\"test_categories\":["
                + "{\"category\":\"Deployment\",\"tests\":[" + test.formatted("software", results, "Pass") + "]},"
                + "{\"category\":\"Hardware\",\"tests\":[" + test.formatted("memory", memory, memoryFails ? "Fail" : "Pass") + "]}"
                + "],\"entity_groups\":[{\"entity_group\":\"GPU\",\"entity_group_id\":1}]},"
                + "\"metadata\":{\"Driver Version Detected\":\"" + driver + "\",\"version\":\"4.2.3\",\"host\":\"" + host + "\"}}\n";
    }

    /** DCGM 3.x's JSON ({@code "DCGM GPU Diagnostic"}, results by {@code gpu_id}), as older installations print it. */
    static String dcgmDiag3(String host, int gpus, String driver, boolean memoryFails) {
        StringBuilder results = new StringBuilder();
        StringBuilder memory = new StringBuilder();
        for (int gpu = 0; gpu < gpus; gpu++) {
            results.append(gpu == 0 ? "" : ",").append("{\"gpu_id\":\"").append(gpu).append("\",\"status\":\"Pass\"}");
            boolean bad = memoryFails && gpu == 3;
            memory.append(gpu == 0 ? "" : ",").append("{\"gpu_id\":\"").append(gpu).append("\",\"status\":\"")
                    .append(bad ? "Fail" : "Pass").append('"');
            if (bad) {
                memory.append(",\"warnings\":[{\"warning\":\"Error using CUDA API cudaMalloc: out of memory on GPU 3\",\"error_id\":83}]");
            }
            memory.append('}');
        }
        return "Successfully ran diagnostic for group.\n{\"DCGM GPU Diagnostic\":{\"test_categories\":["
                + "{\"category\":\"Deployment\",\"tests\":[{\"name\":\"Denylist\",\"results\":[" + results + "]},"
                + "{\"name\":\"NVML Library\",\"results\":[" + results + "]}]},"
                + "{\"category\":\"Hardware\",\"tests\":[{\"name\":\"GPU Memory\",\"results\":[" + memory + "]}]}"
                + "]},\"Driver Version Detected\":\"" + driver + "\",\"version\":\"3.3.9\",\"host\":\"" + host + "\"}\n";
    }

    /** An older nccl-tests build: no root column, {@code error} instead of {@code #wrong}. */
    static String allReducePerfLegacy(int gpus, boolean low) {
        double busbw = low ? 150.31 : 228.64;
        double algbw = busbw * gpus / (2.0 * (gpus - 1));
        double time = 1073741824 / (algbw * 1000.0);
        String row = String.format(Locale.ROOT, "  1073741824     268435456   float     sum  %7.1f  %6.2f  %6.2f  0e+00  %7.1f  %6.2f  %6.2f  0e+00%n",
                time, algbw, busbw, time, algbw, busbw);
        return "# nThread 1 nGpus " + gpus + " minBytes 1073741824 maxBytes 1073741824 step: 2(factor) warmup iters: 5 iters: 20 validation: 1\n"
                + "#\n"
                + "#                                                 out-of-place                       in-place          \n"
                + "#       size         count    type   redop     time   algbw   busbw  error     time   algbw   busbw  error\n"
                + "#        (B)    (elements)                     (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       \n"
                + row
                + "# Out of bounds values : 0 OK\n"
                + String.format(Locale.ROOT, "# Avg bus bandwidth    : %.2f %n#%n", busbw);
    }

    /** {@code nvidia-smi nvlink -s}: every link's speed, {@code <inactive>} for a link down. */
    static String nvlinkStatus(java.util.List<String> uuids, String product, int links, int downGpu, int downLink) {
        StringBuilder out = new StringBuilder();
        for (int gpu = 0; gpu < uuids.size(); gpu++) {
            out.append("GPU ").append(gpu).append(": ").append(product).append(" (UUID: ").append(uuids.get(gpu)).append(")\n");
            for (int link = 0; link < links; link++) {
                out.append("\t Link ").append(link).append(": ")
                        .append(gpu == downGpu && link == downLink ? "<inactive>" : "26.562 GB/s").append('\n');
            }
        }
        return out.toString();
    }

    static String amdSmiVersion(String amdgpu, String rocm) {
        return "[{\"tool\": \"AMDSMI Tool\", \"version\": \"26.2.0+021c61fc\", \"amdsmi_library_version\": \"26.2.0\", "
                + "\"rocm_version\": \"" + rocm + "\", \"amdgpu_version\": \"" + amdgpu + "\", \"amd_hsmp_driver_version\": \"N/A\"}]\n";
    }

    static String allReducePerf(int gpus, boolean low) {
        return allReducePerf(gpus, low ? 190.42 : 471.18);
    }

    /** Across nodes the network sets the pace: about 370 GB/s bus bandwidth over 8×400G InfiniBand. */
    static String allReducePerfAcrossNodes(int gpus, boolean low) {
        return allReducePerf(gpus, low ? 148.77 : 368.52);
    }

    private static String allReducePerf(int gpus, double busbw) {
        double algbw = busbw * gpus / (2.0 * (gpus - 1));
        double time = 1073741824 / (algbw * 1000.0);
        String row = String.format(Locale.ROOT, "  1073741824     268435456     float     sum      -1  %7.1f  %6.2f  %6.2f      0  %7.1f  %6.2f  %6.2f      0%n",
                time, algbw, busbw, time, algbw, busbw);
        return "# nThread 1 nGpus " + gpus + " minBytes 1073741824 maxBytes 1073741824 step: 2(factor) warmup iters: 5 iters: 20 agg iters: 1 validation: 1 graph: 0\n"
                + "#\n"
                + "#                                                              out-of-place                       in-place          \n"
                + "#       size         count      type   redop    root     time   algbw   busbw #wrong     time   algbw   busbw #wrong\n"
                + "#        (B)    (elements)                               (us)  (GB/s)  (GB/s)            (us)  (GB/s)  (GB/s)       \n"
                + row
                + "# Out of bounds values : 0 OK\n"
                + String.format(Locale.ROOT, "# Avg bus bandwidth    : %.2f %n#%n", busbw);
    }

    /**
     * {@code nvfwupd show_version -j} (nvfwupd 2.0.5 and later) of an HGX baseboard: one {@code HGX_FW_GPU_SXM_<n>} per
     * GPU, four {@code HGX_FW_NVSwitch_<n>} where the board has NVSwitches, and the ERoT/BMC entries a real board lists.
     */
    static String nvfwupdVersions(String host, int gpus, boolean nvswitch, String gpuFirmware, String nvswitchFirmware) {
        StringBuilder devices = new StringBuilder();
        java.util.function.BiConsumer<String, String> device = (ap, version) -> devices.append(devices.length() == 0 ? "" : ",\n")
                .append("    {\n      \"AP Name\": \"").append(ap).append("\",\n      \"Sys Version\": \"").append(version)
                .append("\",\n      \"Pkg Version\": \"N/A\",\n      \"Up-To-Date\": \"No\"\n    }");
        device.accept("HGX_FW_BMC_0", "HGX-22.10-1-rc80");
        device.accept("HGX_FW_ERoT_BMC_0", "00.02.0182.0000_n04");
        for (int i = 1; i <= gpus; i++) {
            device.accept("HGX_FW_GPU_SXM_" + i, gpuFirmware);
            device.accept("HGX_FW_ERoT_GPU_SXM_" + i, "00.02.0182.0000_n04");
        }
        if (nvswitch) {
            for (int i = 0; i < 4; i++) {
                device.accept("HGX_FW_NVSwitch_" + i, nvswitchFirmware);
            }
        }
        device.accept("HGX_FW_PCIeSwitch_0", "1.9.5F");
        return "{\n  \"Connection Status\": \"Successful\",\n  \"System Model\": \"HGX H100 8-GPU\",\n"
                + "  \"Part number\": \"935-24287-0000-000\",\n  \"Serial number\": \"1652522000" + Math.abs(host.hashCode() % 1000)
                + "\",\n  \"Packages\": [\n    \"HGX_H100_8-GPU_24.02.1\"\n  ],\n  \"System IP\": \"169.254.0.1\",\n"
                + "  \"Firmware Devices\": [\n" + devices + "\n  ]\n}\n";
    }

    /**
     * {@code mlxfwmanager --query} of two ConnectX-7 adapters running {@code firmware}, with {@code burned} flashed and
     * waiting for the reset that activates it: as the real tool shows it then, {@code FW} is the burned version and
     * {@code FW (Running)} the one still running (src/test/resources/real/mlxfwmanager/).
     */
    static String mlxfwmanagerQuery(String firmware, String burned) {
        StringBuilder out = new StringBuilder("Querying Mellanox devices firmware ...\n");
        String[] pci = {"0000:1a:00.0", "0000:9a:00.0"};
        for (int i = 0; i < pci.length; i++) {
            out.append("\nDevice #").append(i + 1).append(":\n----------\n\n")
                    .append("  Device Type:      ConnectX7\n")
                    .append("  Part Number:      MCX75310AAS-NEA_Ax\n")
                    .append("  Description:      NVIDIA ConnectX-7 HHHL Adapter card; 400GbE / NDR IB (default mode); Single-port OSFP;"
                            + " PCIe 5.0 x16; Crypto Disabled; Secure Boot Enabled\n")
                    .append("  PSID:             MT_0000000838\n")
                    .append("  PCI Device Name:  ").append(pci[i]).append('\n')
                    .append("  Base GUID:        946dae03002a7b3").append(i).append('\n')
                    .append("  Versions:         Current        Available     \n")
                    .append(String.format(java.util.Locale.ROOT, "     FW             %-15sN/A           \n", burned == null ? firmware : burned))
                    .append(burned == null || burned.equals(firmware) ? ""
                            : String.format(java.util.Locale.ROOT, "     FW (Running)   %-15sN/A           \n", firmware))
                    .append("     PXE            3.7.0201       N/A           \n")
                    .append("     UEFI           14.32.0012     N/A           \n\n")
                    .append("  Status:           No matching image found\n");
        }
        return out.toString();
    }
}
