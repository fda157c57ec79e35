package io.waveline.sim;

import java.util.Arrays;
import java.util.Optional;

/** What can go wrong on a simulated host, keyed by the driver version being installed or running. */
public enum SimFault {
    /** apt-get install exits 100. */
    INSTALL_FAILS("install-fails"),
    /** The host goes down for a reboot and never comes back. */
    REBOOT_HANGS("reboot-hangs"),
    /** The host goes down for the reboot at once: the reboot command's connection drops before its exit status is sent. */
    REBOOT_DROPS("reboot-drops"),
    /** The install job starts, but the start command's connection drops before its answer is sent. */
    INSTALL_DROPS("install-drops"),
    /** nvidia-smi keeps answering "Driver/library version mismatch", even after a reboot. */
    NVML_MISMATCH("nvml-mismatch"),
    /** One GPU is gone after the reboot: nvidia-smi lists one fewer. */
    GPU_MISSING("gpu-missing"),
    /** The first two SSH commands after each reboot (and at first contact) time out. */
    FLAKY_SSH("flaky-ssh"),
    /** After the reboot the kernel log shows XID 48 (double-bit ECC) on GPU 3. */
    XID_48("xid-48"),
    /** After the reboot the kernel log shows XID 79 (GPU fallen off the bus) on GPU 3. */
    XID_79("xid-79"),
    /** After the reboot the kernel log shows XID 119 (GSP timeout) on GPU 3. */
    XID_119("xid-119"),
    /** {@code dcgmi diag} fails its memory test on GPU 3 (exit 226). */
    DCGM_FAILS("dcgm-fails"),
    /** {@code all_reduce_perf} reaches less than half the expected bus bandwidth. */
    NCCL_LOW("nccl-low"),
    /** After the reboot NVLink 5 of GPU 2 is down ({@code <inactive>}). */
    NVLINK_DOWN("nvlink-down"),
    /** The install moves the driver but leaves Fabric Manager on its old version (a held package). */
    FM_MISMATCH("fm-mismatch");

    private final String word;

    SimFault(String word) {
        this.word = word;
    }

    public String word() {
        return word;
    }

    /** Every fault's word, in order, for messages. */
    public static String words() {
        return String.join(", ", Arrays.stream(values()).map(SimFault::word).toList());
    }

    public static Optional<SimFault> byWord(String word) {
        return Arrays.stream(values()).filter(f -> f.word.equals(word)).findFirst();
    }
}
