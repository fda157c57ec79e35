package io.waveline.rollout.port;

import java.util.Map;

/** One check a plan asks for, with its thresholds and timeout (seconds), as frozen on a node run. */
public record CheckRequest(String name, Map<String, Object> parameters, long timeoutSeconds) {

    /**
     * Heavy checks load every GPU at full power for minutes: DCGM diagnostics level 3 and 4, and NCCL. They run
     * detached on the node (polled, so neither an SSH drop nor a restart loses them) and only while the rack's
     * power budget allows.
     */
    public boolean heavy() {
        return name.equals("nccl-allreduce") || (name.equals("dcgm-diag") && level() >= 3);
    }

    /** nvidia-smi, driver-version and gpu-inventory run on every node anyway; a plan listing them gets them once. */
    public boolean basic() {
        return name.equals("nvidia-smi") || name.equals("driver-version") || name.equals("gpu-inventory");
    }

    public int level() {
        return parameters.get("level") instanceof Number n ? n.intValue() : 1;
    }
}
