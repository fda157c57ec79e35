package io.waveline.upgrade;

import io.waveline.rollout.port.Upgrader;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import io.waveline.plan.MethodSettings;
import io.waveline.plan.MethodSpec.Method;
import io.waveline.rollout.port.CheckOutcome;

import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.RemoteShell;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The {@code ssh} method: package commands ({@link PackageManager}, {@link PackageCommands}) run over a
 * {@link RemoteShell}; with the plan's {@code firmwareImage}, firmware through the vendors' host tools instead
 * ({@link FirmwareTools}: {@code nvfwupd}, {@code mlxfwmanager}), activated by a reboot or, for GPU and NVSwitch
 * firmware, a power cycle ({@code ipmitool chassis power cycle} on the host).
 */
@ApplicationScoped
public class PackageUpgrader implements Upgrader {

    private static final Duration QUICK = Duration.ofSeconds(30);

    @Inject
    RemoteShell shell;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.apt.install-template")
    java.util.Optional<String> aptTemplate;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.dnf.install-template")
    java.util.Optional<String> dnfTemplate;

    private final Map<PackageManager, String> templates = new java.util.EnumMap<>(PackageManager.class);

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.nvfwupd.query-command", defaultValue = FirmwareTools.NVFWUPD_QUERY)
    String nvfwupdQuery;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.nvfwupd.install-template", defaultValue = FirmwareTools.NVFWUPD_INSTALL)
    String nvfwupdInstall;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.mlxfwmanager.query-command", defaultValue = FirmwareTools.MLXFWMANAGER_QUERY)
    String mlxQuery;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.mlxfwmanager.install-template", defaultValue = FirmwareTools.MLXFWMANAGER_INSTALL)
    String mlxInstall;

    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "waveline.ssh.power-cycle-command", defaultValue = "ipmitool chassis power cycle")
    String powerCycleCommand;

    private FirmwareTools.Templates firmware;

    @jakarta.annotation.PostConstruct
    void checkTemplates() {
        templates.put(PackageManager.APT, checked("waveline.ssh.apt.install-template", aptTemplate, PackageManager.APT));
        templates.put(PackageManager.DNF, checked("waveline.ssh.dnf.install-template", dnfTemplate, PackageManager.DNF));
        refuse("waveline.ssh.nvfwupd.query-command", nvfwupdQuery, FirmwareTools.queryTemplateProblem(nvfwupdQuery));
        refuse("waveline.ssh.nvfwupd.install-template", nvfwupdInstall, FirmwareTools.installTemplateProblem(nvfwupdInstall));
        refuse("waveline.ssh.mlxfwmanager.query-command", mlxQuery, FirmwareTools.queryTemplateProblem(mlxQuery));
        refuse("waveline.ssh.mlxfwmanager.install-template", mlxInstall, FirmwareTools.installTemplateProblem(mlxInstall));
        refuse("waveline.ssh.power-cycle-command", powerCycleCommand, FirmwareTools.queryTemplateProblem(powerCycleCommand));
        firmware = new FirmwareTools.Templates(nvfwupdQuery, nvfwupdInstall, mlxQuery, mlxInstall);
    }

    private static void refuse(String property, String value, java.util.Optional<String> problem) {
        problem.ifPresent(p -> {
            throw new IllegalArgumentException(property + " \"" + value + "\": " + p);
        });
    }

    private static String checked(String property, java.util.Optional<String> template, PackageManager manager) {
        String value = template.orElse(manager.defaultTemplate());
        refuse(property, value, PackageManager.templateProblem(value));
        return value;
    }

    /** The kernel's boot id over SSH (also the redfish and ansible methods' view of the host). */
    public String bootId(NodeAddress node) throws NodeUnreachableException {
        return expectOk(node, PackageCommands.bootId()).output().trim();
    }

    @Override
    public Method method() {
        return Method.SSH;
    }

    /** With {@code firmwareImage}, the host tools read back the firmware they flashed. */
    @Override
    public Optional<CheckOutcome> verify(NodeAddress node, Map<String, String> wanted, MethodSettings settings)
            throws NodeUnreachableException {
        if (!settings.hostToolFirmware()) {
            return Optional.empty();
        }
        Map<FirmwareTools.Tool, String> answers = firmwareAnswers(node, settings);
        return Optional.of(io.waveline.health.FirmwareVersionCheck.readBack(wanted, firmware(answers, true), firmware(answers, false),
                "host tools report "));
    }

    @Override
    public String installer(Map<String, String> versions, MethodSettings settings) {
        return settings.hostToolFirmware() ? String.join(" and ", FirmwareTools.tools(versions.keySet()).stream()
                .map(t -> t.name().toLowerCase()).toList()) : manager(settings).name().toLowerCase();
    }

    /** The plan's package manager ({@code apt} unless it says {@code dnf} or {@code yum}). */
    static PackageManager manager(MethodSettings settings) {
        return PackageManager.of(settings.packageManager());
    }

    @Override
    public String bootId(NodeAddress node, MethodSettings settings) throws NodeUnreachableException {
        return bootId(node);
    }

    @Override
    public String awaitBootId(NodeAddress node, MethodSettings settings, String before, Duration wait)
            throws NodeUnreachableException {
        return expectOk(node, PackageCommands.bootIdAfter(before, wait), QUICK.plus(wait)).output().trim();
    }

    /** The driver and Fabric Manager packages installed (also the ansible method's view). */
    public Map<String, String> installedVersions(NodeAddress node, PackageManager manager) throws NodeUnreachableException {
        return manager.parseInstalled(shell.run(node, manager.installedQuery(), QUICK).output());
    }

    /** With the plan's {@code firmwareImage}: the firmware versions the host tools report; otherwise the packages. */
    @Override
    public Map<String, String> installedVersions(NodeAddress node, MethodSettings settings) throws NodeUnreachableException {
        if (!settings.hostToolFirmware()) {
            return installedVersions(node, manager(settings));
        }
        return firmware(firmwareAnswers(node, settings), false);
    }

    /** What each host tool answers to its query (the tools that answered), asked once. */
    private Map<FirmwareTools.Tool, String> firmwareAnswers(NodeAddress node, MethodSettings settings) throws NodeUnreachableException {
        Map<FirmwareTools.Tool, String> answers = new java.util.EnumMap<>(FirmwareTools.Tool.class);
        for (FirmwareTools.Tool tool : FirmwareTools.Tool.values()) {
            CommandResult result = shell.run(node, root(settings, FirmwareTools.query(tool, firmware)), QUICK);
            if (result.ok()) {
                answers.put(tool, result.output());
            }
        }
        return answers;
    }

    /**
     * The firmware versions in the host tools' answers: burned (installed) or, with {@code running}, what the devices run;
     * they differ while a flashed version waits for the reset that activates it (pending activation).
     */
    private static Map<String, String> firmware(Map<FirmwareTools.Tool, String> answers, boolean running) {
        Map<String, String> versions = new java.util.TreeMap<>();
        answers.forEach((tool, output) -> versions.putAll(tool == FirmwareTools.Tool.NVFWUPD ? FirmwareTools.parseNvfwupd(output)
                : running ? FirmwareTools.parseMlxfwmanagerRunning(output) : FirmwareTools.parseMlxfwmanager(output)));
        return versions;
    }

    @Override
    public String startInstall(NodeAddress node, String jobId, Map<String, String> versions, MethodSettings settings)
            throws NodeUnreachableException {
        if (!settings.hostToolFirmware()) {
            PackageManager manager = manager(settings);
            boolean hold = settings.holdPackages();
            expectOk(node, root(settings, PackageCommands.install(hold ? templates.get(manager) : manager.unpinnedTemplate(), manager,
                    jobId, versions)));
            return null;
        }
        expectOk(node, root(settings, io.waveline.rollout.port.DetachedJob.start(jobId,
                FirmwareTools.installWork(versions, settings.firmwareImage().orElseThrow(), firmware))));
        return null;
    }

    /**
     * A reboot; a power cycle when the plan says {@code reset: power-cycle} or, without {@code reset}, when GPU or
     * NVSwitch firmware is moved (only a power cycle activates it).
     */
    @Override
    public java.util.List<Reset> resets(Map<String, String> versions, MethodSettings settings, Duration rebootTimeout) {
        boolean cycle = settings.reset().isPresent() ? settings.reset().get().equals("power-cycle")
                : settings.hostToolFirmware() && versions.keySet().stream().anyMatch(FirmwareTools.NEED_POWER_CYCLE::contains);
        if (cycle) {
            return java.util.List.of(new Reset("power-cycle", "power cycle from the host (" + powerCycleCommand + ")", rebootTimeout));
        }
        return java.util.List.of(new Reset("reboot", settings.hostToolFirmware() ? "rebooting to activate the firmware"
                : "rebooting to load the driver", rebootTimeout));
    }

    @Override
    public void reset(NodeAddress node, Reset reset, MethodSettings settings) throws NodeUnreachableException {
        shell.run(node, root(settings, reset.type().equals("power-cycle")
                ? "nohup sh -c '" + "sleep 1; " + powerCycleCommand + "' > /dev/null 2>&1 < /dev/null &" : PackageCommands.reboot()), QUICK);
    }

    @Override
    public JobStatus job(NodeAddress node, String jobId, String handle, Map<String, String> versions, MethodSettings settings)
            throws NodeUnreachableException {
        return PackageCommands.parseJobStatus(shell.run(node, PackageCommands.jobStatus(jobId), QUICK).output());
    }

    /** The job's status command waits on the node for the job's exit status, up to {@code wait}. */
    @Override
    public JobStatus awaitJob(NodeAddress node, String jobId, String handle, Map<String, String> versions, MethodSettings settings,
            Duration wait) throws NodeUnreachableException {
        return PackageCommands.parseJobStatus(shell.run(node, PackageCommands.jobStatus(jobId, wait), QUICK.plus(wait)).output());
    }

    /** The plan's {@code sudo: true}: what changes the node runs as root through {@code sudo -n}. */
    private static String root(MethodSettings settings, String command) {
        return settings.sudo() ? PackageCommands.asRoot(command) : command;
    }

    private CommandResult expectOk(NodeAddress node, String command) throws NodeUnreachableException {
        return expectOk(node, command, QUICK);
    }

    private CommandResult expectOk(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
        CommandResult result = shell.run(node, command, timeout);
        if (!result.ok()) {
            throw new NodeUnreachableException("command failed on " + node.name() + " (exit " + result.exitStatus()
                    + "): " + result.output().trim());
        }
        return result;
    }
}
