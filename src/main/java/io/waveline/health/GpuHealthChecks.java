package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.rollout.port.CheckContext;
import io.waveline.rollout.port.GpuBaseline;
import io.waveline.rollout.port.HostReads;
import io.waveline.rollout.port.HealthCheck;
import io.waveline.rollout.port.CheckRunner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The catalog of gpu-health.md run through a {@link CheckRunner}. Every node passes the basic checks after an
 * upgrade or a rollback: nvidia-smi answers (a driver/library mismatch is reported as such, since it means
 * "reboot, then check again"), the kernel module and NVML both report the expected driver, and the GPUs (by UUID
 * and bus ID) are those of the baseline. When these pass, the checks the plan asks for run: light ones at once
 * ({@code xid}, {@code dcgm-diag} levels 1–2, {@code fabric-manager}, {@code vbios}, {@code gpu-modes}, {@code ecc},
 * {@code clock-events}, {@code nvlink}, {@code amd-smi}), heavy ones ({@link CheckRequest#heavy()}) detached and
 * polled. Each check's command and parser live in its own class; this one only carries commands and outputs.
 */
@ApplicationScoped
public class GpuHealthChecks implements HealthCheck {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final String KERNEL_VERSION_COMMAND = "cat /proc/driver/nvidia/version";
    private static final Pattern KERNEL_VERSION = Pattern.compile("Kernel Module(?: for \\S+)?\\s+([0-9][0-9.]+)");
    private static final Pattern NCCL_SIZE = Pattern.compile("[0-9]{1,6}[KMG]?");

    @Inject
    @jakarta.enterprise.inject.Any
    jakarta.enterprise.inject.Instance<CheckRunner> runners;

    /** The only runner, where the checks are made outside CDI (tests). */
    private final CheckRunner only;
    private final GpuStateFields stateFields = new GpuStateFields();

    public GpuHealthChecks() {
        this(null);
    }

    GpuHealthChecks(CheckRunner only) {
        this.only = only;
    }

    private CheckRunner runner(CheckContext context) {
        if (only != null) {
            return only;
        }
        for (CheckRunner candidate : runners) {
            if (candidate.kind().equals(context.runner())) {
                return candidate;
            }
        }
        throw new IllegalStateException("no check runner of kind " + context.runner());
    }

    @Override
    public GpuBaseline baseline(NodeAddress node) throws NodeUnreachableException {
        CheckRunner runner = runner(CheckContext.none());
        String key = stateKey(runner, node);
        List<String> asked = stateFields.fields(key);
        // the three queries at once; the state and NVLink answers are not used where nvidia-smi itself fails
        HostReads.Pending<StateAnswer> stateRead = HostReads.start(() -> stateQuery(runner, node, asked, TIMEOUT));
        HostReads.Pending<CommandResult> linksRead = HostReads.start(() -> runner.run(node, NvlinkStatus.COMMAND, TIMEOUT));
        CommandResult smi = runner.run(node, NvidiaSmiQuery.COMMAND, TIMEOUT);
        NvidiaSmiQuery.Result identity = NvidiaSmiQuery.parse(smi.exitStatus(), smi.output());
        if (identity.failure().isPresent()) {
            return GpuBaselines.of(identity, Optional.empty(), Optional.empty());
        }
        StateAnswer state = stateRead.join();
        Set<String> uuids = identity.gpus().stream().map(NvidiaSmiQuery.Gpu::uuid).collect(Collectors.toSet());
        if (!stateFields.sameGpus(key, uuids)) { // other GPUs than those the fields were learnt on: every field again
            state = stateQuery(runner, node, GpuStateQuery.FIELDS, TIMEOUT);
        }
        stateFields.learn(key, uuids, state.fields());
        CommandResult links = linksRead.join();
        return GpuBaselines.of(identity, GpuStateQuery.parse(state.fields(), state.result().exitStatus(), state.result().output()),
                Optional.of(NvlinkStatus.parse(links.exitStatus(), links.output())));
    }

    @Override
    public List<CheckOutcome> run(NodeAddress node, CheckContext context) throws NodeUnreachableException {
        CheckRunner runner = runner(context);
        // the kernel module's version at the same time; not used where nvidia-smi itself fails
        HostReads.Pending<CommandResult> kernelRead = HostReads.start(() -> runner.run(node, KERNEL_VERSION_COMMAND, TIMEOUT));
        CommandResult smi = runner.run(node, NvidiaSmiQuery.COMMAND, TIMEOUT);
        NvidiaSmiQuery.Result query = NvidiaSmiQuery.parse(smi.exitStatus(), smi.output());
        List<CheckOutcome> outcomes = new ArrayList<>();
        if (query.failure().isPresent()) {
            outcomes.add(NvidiaSmiQuery.failure(query, smi.output()));
            return outcomes;
        }
        outcomes.add(CheckOutcome.pass("nvidia-smi", "nvidia-smi lists " + query.gpus().size() + " GPUs",
                Map.of("gpus", query.gpus().size()), smi.output()));
        outcomes.add(driverVersion(context, query, kernelRead.join()));
        context.baseline().filter(b -> b.count() > 0).ifPresent(b -> outcomes.add(gpuInventory(b, query, smi.output())));
        if (outcomes.stream().allMatch(CheckOutcome::passed)) {
            outcomes.addAll(runRequested(node, context));
        }
        return outcomes;
    }

    /** The checks judged from the one GPU state query. */
    private static final Set<String> STATE_CHECKS = Set.of("vbios", "gpu-modes", "ecc", "clock-events");

    /**
     * The light checks requested, answered in their order. Those of the GPU state query judge one answer, asked once.
     * Where the runner allows it, the checks' reads are sent at once; DCGM's diagnostics (levels 1 and 2 load the
     * GPUs) run after them, alone.
     */
    @Override
    public List<CheckOutcome> runRequested(NodeAddress node, CheckContext context) throws NodeUnreachableException {
        List<CheckRequest> light = context.requested().stream().filter(r -> !r.heavy() && !r.basic()).toList();
        CheckRunner runner = runner(context);
        HostReads.Read<StateAnswer> stateRead = () -> stateQuery(runner, node, stateFields.fields(stateKey(runner, node)),
                stateTimeout(context));
        boolean atOnce = runner.concurrent();
        HostReads.Pending<StateAnswer> stateAtOnce = atOnce && light.stream().anyMatch(r -> STATE_CHECKS.contains(r.name()))
                ? HostReads.start(stateRead) : null;
        List<HostReads.Pending<CheckOutcome>> reads = new ArrayList<>();
        for (CheckRequest request : light) {
            reads.add(atOnce && !STATE_CHECKS.contains(request.name()) && !alone(request)
                    ? HostReads.start(() -> runOne(node, request, context)) : null);
        }
        CheckOutcome[] outcomes = new CheckOutcome[light.size()];
        StateAnswer state = null;
        for (int i = 0; i < light.size(); i++) {
            CheckRequest request = light.get(i);
            if (STATE_CHECKS.contains(request.name())) {
                if (state == null) {
                    state = stateAtOnce != null ? stateAtOnce.join() : stateRead.read();
                }
                outcomes[i] = stateCheck(request, state, context);
            } else if (reads.get(i) != null) {
                outcomes[i] = reads.get(i).join();
            } else if (!alone(request)) {
                outcomes[i] = runOne(node, request, context);
            }
        }
        for (int i = 0; i < light.size(); i++) {
            if (alone(light.get(i))) {
                outcomes[i] = runOne(node, light.get(i), context);
            }
        }
        return List.of(outcomes);
    }

    /** A light check that loads the GPUs: run by itself, after the reads. */
    private static boolean alone(CheckRequest request) {
        return request.name().equals("dcgm-diag");
    }

    /** The longest timeout among the requested state checks: the one query answers them all. */
    private static Duration stateTimeout(CheckContext context) {
        return Duration.ofSeconds(context.requested().stream().filter(r -> STATE_CHECKS.contains(r.name()))
                .mapToLong(r -> Math.max(1, r.timeoutSeconds())).max().orElse(1));
    }

    private static CheckOutcome stateCheck(CheckRequest request, StateAnswer state, CheckContext context) {
        return GpuStateQuery.evaluate(request.name(), state.fields(), state.result().exitStatus(), state.result().output(),
                request.parameters(), context.baseline());
    }

    @Override
    public CheckOutcome runOne(NodeAddress node, CheckRequest request, CheckContext context) throws NodeUnreachableException {
        CheckRunner runner = runner(context);
        Duration timeout = Duration.ofSeconds(Math.max(1, request.timeoutSeconds()));
        switch (request.name()) {
            case "nvidia-smi", "driver-version", "gpu-inventory":
                return CheckOutcome.pass(request.name(), "covered by the basic checks", Map.of(), "");
            case "xid": {
                CommandResult log = runner.run(node, XidScan.COMMAND, timeout);
                return XidScan.evaluate(log.output(), fatalSet(request));
            }
            case "dcgm-diag": {
                CommandResult diag = runner.run(node, DcgmDiag.command(request.level()), timeout);
                return DcgmDiag.evaluate(diag.exitStatus(), diag.output(), Boolean.TRUE.equals(request.parameters().get("allowWarn")));
            }
            case "vbios", "gpu-modes", "ecc", "clock-events":
                return stateCheck(request, stateQuery(runner, node, stateFields.fields(stateKey(runner, node)), timeout), context);
            case "fabric-manager": {
                String active = runner.run(node, FabricManagerCheck.ACTIVE, timeout).output();
                String version = runner.run(node, FabricManagerCheck.VERSION, timeout).output();
                String journal = runner.run(node, FabricManagerCheck.JOURNAL, timeout).output();
                return FabricManagerCheck.evaluate(active, version, journal, context.expectedDriver());
            }
            case "nvlink": {
                CommandResult links = runner.run(node, NvlinkStatus.COMMAND, timeout);
                return NvlinkStatus.evaluate(links.exitStatus(), links.output(), context.baseline());
            }
            case "amd-smi": {
                CommandResult amd = runner.run(node, AmdSmiVersion.AMD_SMI, timeout);
                if (amd.exitStatus() == 127) {
                    amd = runner.run(node, AmdSmiVersion.ROCM_SMI, timeout);
                } else if (AmdSmiVersion.lacksDriverVersion(amd.exitStatus(), amd.output())) {
                    CommandResult rocm = runner.run(node, AmdSmiVersion.ROCM_SMI, timeout);
                    return AmdSmiVersion.evaluate(amd.exitStatus(), amd.output(), rocm.exitStatus(), rocm.output(),
                            context.expectedVersions());
                }
                return AmdSmiVersion.evaluate(amd.exitStatus(), amd.output(), context.expectedVersions());
            }
            case "nccl-allreduce":
                return new CheckOutcome(request.name(), CheckStatus.ERROR, "nccl-allreduce runs as a heavy check only",
                        CheckOutcome.Cause.NONE, Map.of(), "");
            default:
                return new CheckOutcome(request.name(), CheckStatus.WARN, request.name() + " needs the Kubernetes check runner;"
                        + " not run on this node", CheckOutcome.Cause.NONE, Map.of(), "");
        }
    }

    @Override
    public CheckOutcome ncclAcross(NodeAddress launcher, List<String> hosts, int gpusPerNode, String size,
            double minBusBandwidthGBps, Duration timeout) throws NodeUnreachableException {
        if (!NCCL_SIZE.matcher(size).matches()) {
            throw new IllegalArgumentException("refusing NCCL message size " + size);
        }
        CommandResult run = runner(CheckContext.none()).run(launcher, NcclAllReduce.multiNodeCommand(hosts, gpusPerNode, size), timeout);
        CheckOutcome outcome = NcclAllReduce.evaluate(run.output(), minBusBandwidthGBps);
        return new CheckOutcome("wave-nccl", outcome.status(), "NCCL across " + hosts.size() + " nodes: " + outcome.summary(),
                outcome.cause(), outcome.figures(), outcome.rawOutput());
    }

    @Override
    public void startHeavy(NodeAddress node, String jobId, CheckRequest request, CheckContext context) throws NodeUnreachableException {
        runner(context).start(node, jobId, heavyCommand(request, context));
    }

    @Override
    public Optional<CheckOutcome> pollHeavy(NodeAddress node, String jobId, CheckRequest request, CheckContext context)
            throws NodeUnreachableException {
        JobStatus job = runner(context).poll(node, jobId);
        return switch (job.state()) {
            case RUNNING -> Optional.empty();
            case NOT_FOUND -> Optional.of(new CheckOutcome(request.name(), CheckStatus.ERROR, "the check's job " + jobId
                    + " is gone from the node (was it rebooted?)", CheckOutcome.Cause.NONE, Map.of(), ""));
            case DONE -> Optional.of(request.name().equals("nccl-allreduce")
                    ? NcclAllReduce.evaluate(job.output(), threshold(request))
                    : DcgmDiag.evaluate(job.exitStatus(), job.output(), Boolean.TRUE.equals(request.parameters().get("allowWarn"))));
        };
    }

    /** The command of a heavy check; values come from the validated plan and are checked once more here. */
    static String heavyCommand(CheckRequest request, CheckContext context) {
        if (request.name().equals("nccl-allreduce")) {
            int gpus = request.parameters().get("gpus") instanceof Number n ? n.intValue() : context.baselineGpuCount().orElse(8);
            String size = request.parameters().getOrDefault("size", "1G").toString();
            if (!NCCL_SIZE.matcher(size).matches()) {
                throw new IllegalArgumentException("refusing NCCL message size " + size);
            }
            return NcclAllReduce.command(size, gpus);
        }
        return DcgmDiag.command(request.level());
    }

    private static double threshold(CheckRequest request) {
        return request.parameters().get("minBusBandwidthGBps") instanceof Number n ? n.doubleValue() : 0;
    }

    static Set<Integer> fatalSet(CheckRequest request) {
        return request.parameters().get("fatal") instanceof List<?> list
                ? list.stream().filter(Number.class::isInstance).map(o -> ((Number) o).intValue()).collect(Collectors.toSet())
                : XidScan.DEFAULT_FATAL;
    }

    private record StateAnswer(List<String> fields, CommandResult result) {
    }

    private static String stateKey(CheckRunner runner, NodeAddress node) {
        return runner.kind() + " " + node.host() + ":" + node.port();
    }

    /** The GPU state query for {@code fields}, asked again without each field this GPU generation or driver does not know. */
    private static StateAnswer stateQuery(CheckRunner runner, NodeAddress node, List<String> asked, Duration timeout)
            throws NodeUnreachableException {
        List<String> fields = asked;
        CommandResult result = runner.run(node, GpuStateQuery.command(fields), timeout);
        for (int retry = 0; retry < 3 && result.exitStatus() != 0; retry++) {
            Optional<String> invalid = GpuStateQuery.invalidField(result.output());
            if (invalid.isEmpty() || !fields.contains(invalid.get())) {
                break;
            }
            fields = GpuStateQuery.without(fields, invalid.get());
            result = runner.run(node, GpuStateQuery.command(fields), timeout);
        }
        return new StateAnswer(fields, result);
    }

    static CheckOutcome gpuInventory(GpuBaseline baseline, NvidiaSmiQuery.Result query, String raw) {
        int now = query.gpus().size();
        int before = baseline.count();
        List<GpuBaseline.Gpu> missing = GpuBaselines.missing(baseline, query.gpus());
        Map<String, Object> figures = Map.of("gpus", now, "baseline", before,
                "missing", missing.stream().map(g -> g.busId()).toList());
        if (missing.isEmpty() && now >= before) {
            return CheckOutcome.pass("gpu-inventory", now + " of " + before + " GPUs, same UUIDs and bus IDs", figures, raw);
        }
        String which = missing.stream().map(g -> "GPU " + g.index() + " (" + g.busId() + ")").collect(Collectors.joining(", "));
        return CheckOutcome.fail("gpu-inventory", CheckOutcome.Cause.DRIVER, (which.isEmpty() ? "GPUs" : which) + " missing: "
                + now + " of " + before + " GPUs after the upgrade", figures, raw);
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
