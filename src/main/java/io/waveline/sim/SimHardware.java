package io.waveline.sim;

/** What the host has: GPU vendor, model, count and whether NVSwitches join them. */
public record SimHardware(String vendor, String model, int gpuCount, boolean nvswitch) {

    /** Volta and Turing retire pages; Ampere and later remap rows instead (and nvidia-smi knows only one). */
    public boolean preAmpere() {
        return model.matches("(?i).*(V100|T4|P100).*");
    }

    /** The A100 hosts of the demo run older tools: DCGM 3.x and an nccl-tests build with the old columns. */
    public boolean olderTools() {
        return model.toUpperCase(java.util.Locale.ROOT).contains("A100");
    }

    public int nvlinksPerGpu() {
        String m = model.toUpperCase(java.util.Locale.ROOT);
        return m.contains("H100") || m.contains("H200") ? 18 : m.contains("A100") ? 12 : m.contains("V100") ? 6 : 0;
    }

    public String product() {
        return "NVIDIA " + model.replace('-', ' ');
    }

    public String vbios() {
        String m = model.toUpperCase(java.util.Locale.ROOT);
        return m.contains("H100") ? "96.00.99.00.01" : m.contains("A100") ? "92.00.45.00.06" : "95.02.3C.00.8B";
    }

    public boolean nvidia() {
        return vendor.equalsIgnoreCase("nvidia");
    }
}
