package io.waveline.health;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waveline.ssh.CommandResult;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import io.waveline.ssh.RemoteShell;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The checks every node passes after an upgrade or a rollback: nvidia-smi answers (a driver/library mismatch is
 * reported as such, since it means "reboot, then check again"), the kernel module and NVML both report the
 * expected driver, and the GPU count equals the baseline taken before the node was touched. When these pass, the
 * checks the plan asks for run too: {@code xid} ({@link XidScan}), {@code dcgm-diag} ({@link DcgmDiag}),
 * {@code nccl-allreduce} ({@link NcclAllReduce}), {@code fabric-manager} ({@link FabricManagerCheck}) and
 * {@code vbios}, {@code gpu-modes}, {@code ecc}, {@code clock-events} ({@link GpuStateQuery}); the rest of the
 * catalog answers a warning until it is built.
 */
@ApplicationScoped
public class BasicGpuChecks implements HealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern KERNEL_VERSION = Pattern.compile("Kernel Module(?: for \\S+)?\\s+([0-9][0-9.]+)");

    @Inject
    RemoteShell shell;

    @Override
    public List<CheckOutcome> run(NodeAddress node, CheckContext context) throws NodeUnreachableException {
        CommandResult smi = shell.run(node, NvidiaSmiQuery.COMMAND, TIMEOUT);
        NvidiaSmiQuery.Result query = NvidiaSmiQuery.parse(smi.exitStatus(), smi.output());
        List<CheckOutcome> outcomes = new ArrayList<>();
        if (query.failure().isPresent()) {
            outcomes.add(CheckOutcome.fail("nvidia-smi", query.mismatch() ? CheckOutcome.Cause.NVML_MISMATCH
                    : CheckOutcome.Cause.DRIVER, "nvidia-smi failed: " + query.failure().get(), Map.of(), smi.output()));
            return outcomes;
        }
        outcomes.add(CheckOutcome.pass("nvidia-smi", "nvidia-smi lists " + query.gpus().size() + " GPUs",
                Map.of("gpus", query.gpus().size()), smi.output()));
        CommandResult kernel = shell.run(node, "cat /proc/driver/nvidia/version", TIMEOUT);
        outcomes.add(driverVersion(context, query, kernel));
        context.baselineGpuCount().ifPresent(baseline -> {
            int now = query.gpus().size();
            outcomes.add(now >= baseline
                    ? CheckOutcome.pass("gpu-inventory", now + " of " + baseline + " GPUs", Map.of("gpus", now, "baseline", baseline), smi.output())
                    : CheckOutcome.fail("gpu-inventory", CheckOutcome.Cause.DRIVER, (baseline - now) + " GPU(s) missing: "
                            + now + " of " + baseline + " GPUs after the upgrade", Map.of("gpus", now, "baseline", baseline), smi.output()));
        });
        if (outcomes.stream().allMatch(CheckOutcome::passed)) {
            for (CheckRequest request : context.requested()) {
                outcomes.add(catalog(node, request, query.gpus().size(), context.expectedDriver()));
            }
        }
        return outcomes;
    }

    /** One requested check of the catalog; the ones this version does not run yet say so as a warning. */
    private CheckOutcome catalog(NodeAddress node, CheckRequest request, int gpus, java.util.Optional<String> expectedDriver)
            throws NodeUnreachableException {
        Duration timeout = Duration.ofSeconds(Math.max(1, request.timeoutSeconds()));
        switch (request.name()) {
            case "nvidia-smi", "driver-version", "gpu-inventory":
                return CheckOutcome.pass(request.name(), "covered by the basic checks", Map.of(), "");
            case "xid": {
                CommandResult log = shell.run(node, "dmesg", timeout);
                Set<Integer> fatal = request.parameters().get("fatal") instanceof List<?> list
                        ? list.stream().map(o -> ((Number) o).intValue()).collect(Collectors.toSet()) : XidScan.DEFAULT_FATAL;
                return XidScan.evaluate(log.output(), fatal);
            }
            case "dcgm-diag": {
                int level = request.parameters().get("level") instanceof Number n ? n.intValue() : 1;
                CommandResult diag = shell.run(node, "dcgmi diag -r " + level + " -j", timeout);
                return DcgmDiag.evaluate(diag.exitStatus(), diag.output(),
                        Boolean.TRUE.equals(request.parameters().get("allowWarn")));
            }
            case "nccl-allreduce": {
                int count = request.parameters().get("gpus") instanceof Number n ? n.intValue() : gpus;
                double threshold = request.parameters().get("minBusBandwidthGBps") instanceof Number n ? n.doubleValue() : 0;
                CommandResult run = shell.run(node, "all_reduce_perf -b 1G -e 1G -f 2 -g " + count, timeout);
                return NcclAllReduce.evaluate(run.output(), threshold);
            }
            case "vbios", "gpu-modes", "ecc", "clock-events": {
                CommandResult state = shell.run(node, GpuStateQuery.COMMAND, timeout);
                return GpuStateQuery.evaluate(request.name(), state.exitStatus(), state.output(), request.parameters());
            }
            case "fabric-manager": {
                String active = shell.run(node, FabricManagerCheck.ACTIVE, timeout).output();
                String version = shell.run(node, FabricManagerCheck.VERSION, timeout).output();
                String journal = shell.run(node, FabricManagerCheck.JOURNAL, timeout).output();
                return FabricManagerCheck.evaluate(active, version, journal, expectedDriver);
            }
            default:
                return new CheckOutcome(request.name(), CheckStatus.WARN, request.name()
                        + " is not run by this version of Waveline yet", CheckOutcome.Cause.NONE, Map.of(), "");
        }
    }

    static CheckOutcome driverVersion(CheckContext context, NvidiaSmiQuery.Result query, CommandResult kernel) {
        Matcher matcher = KERNEL_VERSION.matcher(kernel.output());
        String kernelVersion = matcher.find() ? matcher.group(1) : "unknown";
        String nvml = query.gpus().isEmpty() ? "unknown" : query.gpus().get(0).driverVersion();
        Map<String, Object> figures = Map.of("kernel", kernelVersion, "nvml", nvml);
        String raw = kernel.output();
        if (context.expectedDriver().isEmpty()) {
            return CheckOutcome.pass("driver-version", "driver " + nvml, figures, raw);
        }
        String expected = context.expectedDriver().get();
        if (expected.equals(kernelVersion) && expected.equals(nvml)) {
            return CheckOutcome.pass("driver-version", "kernel module and NVML at " + expected, figures, raw);
        }
        return CheckOutcome.fail("driver-version", CheckOutcome.Cause.DRIVER, "expected driver " + expected
                + ", kernel module runs " + kernelVersion + " and NVML reports " + nvml, figures, raw);
    }
}
