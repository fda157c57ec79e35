package io.waveline.kubernetes;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** {@code waveline.kubernetes.*}: where Waveline finds GPU nodes in a cluster and how it treats them. */
@ConfigMapping(prefix = "waveline.kubernetes")
public interface KubernetesSettings {

    /** Read GPU nodes from the cluster (kubeconfig, or the in-cluster service account). */
    @WithDefault("false")
    boolean enabled();

    /** Which nodes are GPU nodes (a label selector, evaluated by Waveline). */
    @WithDefault("nvidia.com/gpu.present=true")
    String nodeSelector();

    /** The node label that names its rack; copied to Waveline's {@code rack} label. */
    @WithDefault("topology.kubernetes.io/rack")
    String rackLabel();

    /** The node label that names its NVLink domain; copied to Waveline's {@code nvlink-domain} label. */
    @WithDefault("nvidia.com/gpu.clique")
    String nvlinkDomainLabel();

    /** Where the GPU Operator runs (its driver and validator pods). */
    @WithDefault("gpu-operator")
    String operatorNamespace();

    /**
     * How long after the upgrade the validator pods may take to become ready before the node fails (a gpu-operator
     * plan's {@code validatorTimeout} overrides it).
     */
    @WithDefault("10m")
    Duration validatorTimeout();

    /** The GPU Operator's validator pods. */
    @WithDefault("app=nvidia-operator-validator")
    String validatorSelector();

    /** The GPU Operator's driver pods. */
    @WithDefault("app=nvidia-driver-daemonset")
    String driverPodSelector();

    /** The image of check pods: it must have the tools the plan's checks call (nvidia-smi, dcgmi, all_reduce_perf). */
    @WithDefault("nvcr.io/nvidia/cloud-native/dcgm:4.2.3-1-ubuntu22.04")
    String checkImage();

    /** Where check pods run. */
    @WithDefault("waveline")
    String checkNamespace();

    /** First wait between evictions refused by a PodDisruptionBudget (429); doubles up to a minute. */
    @WithDefault("5s")
    Duration evictionBackoff();
}
