package io.waveline.sim;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waveline.rollout.port.AnswerLostException;
import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.NodeUnreachableException;

/**
 * One simulated GPU host that answers the commands Waveline sends like a real Ubuntu or RHEL host with NVIDIA GPUs:
 * {@code dpkg-query} or {@code rpm -q}, detached {@code apt-get install} or {@code dnf install} jobs with pid/rc files, {@code systemctl reboot} with
 * downtime and a new boot_id, {@code /proc/driver/nvidia/version} and {@code nvidia-smi --query-gpu} in the real
 * CSV format. An installed driver takes effect only after a reboot; until then nvidia-smi answers "Driver/library
 * version mismatch", as a real one does. Time comes from the caller, so tests control it.
 */
public final class SimHost {

    private static final Pattern INSTALL = Pattern.compile("nohup (?:\\$L )?sh -c '(.*); echo \\$\\? > ([a-z0-9-]+)\\.rc'");
    private static final Pattern JOB_STATUS = Pattern.compile("if \\[ -[es] ([a-z0-9-]+)\\.rc \\]");
    /** A job status command that waits for the job on the host: how many times it looks (DetachedJob.WAIT_STEP apart). */
    private static final Pattern JOB_WAIT = Pattern.compile("while \\[ ! -s [a-z0-9-]+\\.rc \\] && \\[ -e [a-z0-9-]+\\.pid \\] && \\[ \\$n -lt ([0-9]{1,4}) \\]");
    private static final Pattern PACKAGE_SPEC = Pattern.compile("(nvidia-driver|nvidia-fabricmanager)(?:-[0-9]+)?=([A-Za-z0-9._+~-]+)-1");
    private static final Pattern RPM_SPEC = Pattern.compile("(nvidia-driver|nvidia-fabric-manager|nvidia-fabricmanager)-(?:3:)?([0-9][A-Za-z0-9._+~]*)");
    /** A firmware image the host tools are given: {@code <component>-<version>.<ext>}, the simulator's convention. */
    private static final Pattern FIRMWARE_IMAGE = Pattern.compile("(?:update_fw -p|-i) /\\S*?/?(gpu-firmware|nvswitch-firmware|nic-firmware)-"
            + "([0-9][A-Za-z0-9._+~-]*?)\\.(?:bin|fwpkg|img)(?=\\s|$)");
    /** Flashed firmware waits under this prefix in {@code packages} until the reset that activates it. */
    private static final String FLASHED = "flashed:";
    private static final String SUDO = "sudo -n sh -c '";
    private static final Pattern MPI_RANKS = Pattern.compile(" -np ([0-9]{1,5}) ");

    private final String name;
    private final SimHardware hardware;
    private final int gpuCount;
    private final Duration burnInDuration;
    private final Function<String, Set<SimFault>> faults;
    private final Duration installDuration;
    private final Duration rebootDuration;
    private final Map<String, String> packages = new LinkedHashMap<>();
    private final Map<String, SimJob> jobs = new HashMap<>();
    private String loadedDriver;
    private String bootId;
    private int visibleGpus;
    private Instant rebootAt;
    private boolean powerCycle;
    private Instant downUntil;
    private boolean hung;
    private int asRoot;
    private int nvlinkReads;
    private boolean pinned;
    private int installs;
    private int reboots;
    private boolean heavyChecksHeld; // a test's hold (holdHeavyChecks), not part of the host's stored state
    private int dropsLeft = 2;

    /** Everything a host remembers, so a simulated fleet can outlive the process that serves it. */
    public record State(Map<String, String> packages, Map<String, SimJob> jobs, String loadedDriver, String bootId,
            int visibleGpus, Instant rebootAt, Instant downUntil, boolean hung, int installs, int dropsLeft, boolean powerCycle,
            int reboots) {
    }

    public synchronized State state() {
        return new State(Map.copyOf(packages), Map.copyOf(jobs), loadedDriver, bootId, visibleGpus, rebootAt, downUntil,
                hung, installs, dropsLeft, powerCycle, reboots);
    }

    public synchronized void restore(State state) {
        packages.clear();
        packages.putAll(state.packages());
        jobs.clear();
        jobs.putAll(state.jobs());
        loadedDriver = state.loadedDriver();
        bootId = state.bootId();
        visibleGpus = state.visibleGpus();
        rebootAt = state.rebootAt();
        downUntil = state.downUntil();
        hung = state.hung();
        installs = state.installs();
        dropsLeft = state.dropsLeft();
        powerCycle = state.powerCycle();
        reboots = state.reboots();
    }

    /** How many reboots, power cycles and BMC resets the host was asked for. */
    public synchronized int reboots() {
        return reboots;
    }

    public SimHost(String name, int gpuCount, Map<String, String> versions, Function<String, Set<SimFault>> faults,
            Duration installDuration, Duration rebootDuration) {
        this(name, new SimHardware("nvidia", "H100-SXM5-80GB", gpuCount, true), versions, faults, installDuration,
                rebootDuration, Duration.ZERO);
    }

    public SimHost(String name, SimHardware hardware, Map<String, String> versions, Function<String, Set<SimFault>> faults,
            Duration installDuration, Duration rebootDuration, Duration burnInDuration) {
        this.name = name;
        this.hardware = hardware;
        this.gpuCount = hardware.gpuCount();
        this.burnInDuration = burnInDuration;
        this.faults = faults;
        this.installDuration = installDuration;
        this.rebootDuration = rebootDuration;
        this.packages.putAll(versions);
        this.loadedDriver = versions.get("nvidia-driver");
        this.visibleGpus = gpuCount;
        this.bootId = newBootId();
    }

    public String name() {
        return name;
    }

    /** How many install jobs this host has run: a node upgraded twice would show 2 for one rollout. */
    public synchronized int installs() {
        return installs;
    }

    /**
     * Holds this host's heavy checks (dcgmi diag, NCCL) running past their duration, or releases them: a test can look
     * at a burn-in while it runs, and at the nodes that wait for power meanwhile, without racing the check's duration.
     * A check released after its duration ends at the release.
     */
    public synchronized void holdHeavyChecks(boolean held, Instant now) {
        heavyChecksHeld = held;
        if (!held) {
            jobs.replaceAll((id, job) -> job.exitStatus() == null && job.check() && job.finishAt().isBefore(now)
                    ? new SimJob(now, job.versions(), null, job.log(), job.startAt(), job.pendingExit(), job.pendingLog()) : job);
        }
    }

    /** When this host ran heavy checks: [start, end) of each check job, for power-budget assertions. */
    public synchronized java.util.List<Instant[]> burnIns() {
        return jobs.values().stream().filter(SimJob::check).map(j -> new Instant[] {j.startAt(), j.finishAt()}).toList();
    }

    public synchronized Map<String, String> installedVersions() {
        return Map.copyOf(packages);
    }

    /** How many commands came through {@code sudo -n sh -c '…'}. */
    public synchronized int commandsAsRoot() {
        return asRoot;
    }

    /** How many times {@code nvidia-smi nvlink -s} was asked: each GPU baseline asks it once, the checks only where a plan lists NVLink. */
    public synchronized int nvlinkReads() {
        return nvlinkReads;
    }

    /** Whether the last package install pinned what it installed ({@code apt-mark hold}, {@code dnf versionlock add}). */
    public synchronized boolean pinned() {
        return pinned;
    }

    /** A boot id command that waits for the boot id to change (PackageCommands.bootIdAfter). */
    private static final Pattern BOOT_WAIT = Pattern.compile(
            "^b=\\$\\(cat /proc/sys/kernel/random/boot_id\\); n=0; while \\[ \"\\$b\" = ([0-9a-f-]{36}) \\] && \\[ \\$n -lt ([0-9]{1,4}) \\]");

    /** A command that waits on the host: how many times it looks, and which answers mean it looks again. */
    public record Waiting(int looks, java.util.function.Predicate<String> unchanged) {
    }

    /** How a command waits on the host (a job's end, a new boot id), if it does. */
    public static java.util.Optional<Waiting> waiting(String command) {
        Matcher job = JOB_WAIT.matcher(command);
        if (job.find()) {
            return java.util.Optional.of(new Waiting(Integer.parseInt(job.group(1)), answer -> answer.startsWith("running")));
        }
        Matcher boot = BOOT_WAIT.matcher(command);
        if (boot.find()) {
            String before = boot.group(1);
            return java.util.Optional.of(new Waiting(Integer.parseInt(boot.group(2)), answer -> answer.trim().equals(before)));
        }
        return java.util.Optional.empty();
    }


    public synchronized CommandResult exec(String command, Instant now) throws NodeUnreachableException {
        advance(now);
        if (hung || downUntil != null) {
            throw new NodeUnreachableException("ssh: connect to host " + name + " port 22: Connection timed out");
        }
        if (dropsLeft > 0 && faults.apply(packages.get("nvidia-driver")).contains(SimFault.FLAKY_SSH)) {
            dropsLeft--;
            throw new NodeUnreachableException("ssh: connect to host " + name + " port 22: Connection reset by peer");
        }
        CommandResult result;
        if (command.startsWith(SUDO) && command.endsWith("'")) {
            asRoot++;
            result = answer(command.substring(SUDO.length(), command.length() - 1).replace("'\\''", "'"), now);
        } else {
            result = answer(command, now);
        }
        if (command.contains("systemctl reboot") && faults.apply(packages.get("nvidia-driver")).contains(SimFault.REBOOT_DROPS)
                || result.output().equals("started\n") && faults.apply(startedDriver(command)).contains(SimFault.INSTALL_DROPS)) {
            throw new AnswerLostException("the connection closed before \"" + command.split(" ")[0] + "\" finished", null);
        }
        return result;
    }

    /** A reset through the BMC: the host goes down now and boots again after the reboot time. */
    public synchronized void resetByBmc(boolean cycle, Instant now) {
        advance(now);
        rebootAt = now;
        reboots++;
        powerCycle |= cycle;
    }

    private CommandResult answer(String command, Instant now) {
        Matcher install = INSTALL.matcher(command);
        if (install.find()) {
            return startJob(install.group(2), install.group(1), now);
        }
        Matcher status = JOB_STATUS.matcher(command);
        if (status.find()) {
            return jobStatus(status.group(1), now);
        }
        if (command.equals("cat /proc/sys/kernel/random/boot_id") || BOOT_WAIT.matcher(command).find()) {
            return new CommandResult(0, bootId + "\n");
        }
        if (command.startsWith("rpm -q")) {
            StringBuilder out = new StringBuilder();
            for (String component : new String[] {"nvidia-driver", "nvidia-fabricmanager"}) {
                // From R580 on Fabric Manager's RPM is nvidia-fabricmanager (NVIDIA/gpu-driver-container#585, #898).
                String rpm = component.equals("nvidia-driver") ? "nvidia-driver" : io.waveline.plan.Components.renamedFabricManager(packages.get(component))
                        ? "nvidia-fabricmanager" : "nvidia-fabric-manager";
                out.append(packages.containsKey(component) ? rpm + " " + packages.get(component)
                        : "package " + rpm + " is not installed").append('\n');
            }
            return new CommandResult(0, out.toString());
        }
        if (command.startsWith("dpkg-query")) {
            StringBuilder out = new StringBuilder();
            packages.forEach((component, version) -> {
                if (component.startsWith("nvidia-")) {
                    // From R580 on Ubuntu's Fabric Manager package has no branch suffix (NVIDIA/gpu-driver-container#451).
                    out.append(component).append(component.equals("nvidia-fabricmanager") && io.waveline.plan.Components.renamedFabricManager(version) ? ""
                            : "-" + version.split("\\.")[0]).append(' ').append(version).append("-1\n");
                }
            });
            return new CommandResult(0, out.toString());
        }
        if (command.contains("systemctl reboot")) {
            rebootAt = now;
            reboots++;
            return new CommandResult(0, "");
        }
        if (command.contains("ipmitool chassis power cycle")) {
            rebootAt = now;
            reboots++;
            powerCycle = true;
            return new CommandResult(0, "Chassis Power Control: Cycle\n");
        }
        if (command.contains("nvfwupd") && command.contains("show_version")) {
            return hardware.nvidia() ? new CommandResult(0, SimOutputs.nvfwupdVersions(name, gpuCount, hardware.nvswitch(),
                    firmware("gpu-firmware"), firmware("nvswitch-firmware")))
                    : new CommandResult(1, "Error: no HGX baseboard found at the given BMC\n");
        }
        if (command.equals("mlxfwmanager --query")) {
            return new CommandResult(0, SimOutputs.mlxfwmanagerQuery(firmware("nic-firmware"), packages.get(FLASHED + "nic-firmware")));
        }
        if (command.equals("cat /proc/driver/nvidia/version")) {
            return loadedDriver == null ? new CommandResult(1, "cat: /proc/driver/nvidia/version: No such file or directory\n")
                    : new CommandResult(0, "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  " + loadedDriver
                            + "  Release Build  (dvs-builder@U16-I3-B03-4-3)  Fri Mar 14 17:06:23 UTC 2025\n"
                            + "GCC version:  gcc version 12.3.0 (Ubuntu 12.3.0-1ubuntu1~22.04)\n");
        }
        if (!hardware.nvidia() && (command.startsWith("nvidia-smi") || command.startsWith("dcgmi") || command.contains("all_reduce_perf"))) {
            return new CommandResult(127, "sh: 1: " + command.split(" ")[0] + ": not found\n");
        }
        if (command.startsWith("nvidia-smi --query-gpu=")) {
            return SimGpuQuery.query(view(), command.substring("nvidia-smi --query-gpu=".length()).split(" ")[0].split(","));
        }
        if (command.equals("nvidia-smi nvlink -s")) {
            nvlinkReads++;
            if (mismatch()) {
                return nvidiaSmi();
            }
            boolean down = bootFaults().contains(SimFault.NVLINK_DOWN);
            return new CommandResult(0, hardware.nvlinksPerGpu() == 0 ? "" : SimOutputs.nvlinkStatus(SimGpuQuery.uuids(name, gpuCount), hardware.product(),
                    hardware.nvlinksPerGpu(), down ? 2 : -1, 5));
        }
        if (command.equals("amd-smi version --json")) {
            return hardware.nvidia() ? new CommandResult(127, "sh: 1: amd-smi: not found\n")
                    : new CommandResult(0, SimOutputs.amdSmiVersion(packages.getOrDefault("amdgpu-driver", "unknown"),
                            packages.getOrDefault("rocm", "unknown")));
        }
        if (command.equals("systemctl is-active nvidia-fabricmanager")) {
            boolean running = packages.containsKey("nvidia-fabricmanager");
            return new CommandResult(running ? 0 : 3, running ? "active\n" : "inactive\n");
        }
        if (command.equals("nv-fabricmanager --version")) {
            return packages.containsKey("nvidia-fabricmanager")
                    ? new CommandResult(0, "Fabric Manager version is : " + packages.get("nvidia-fabricmanager") + "\n")
                    : new CommandResult(127, "sh: 1: nv-fabricmanager: not found\n");
        }
        if (command.startsWith("journalctl -u nvidia-fabricmanager")) {
            String fm = packages.get("nvidia-fabricmanager");
            String journal = "Nov 25 12:00:01 " + name + " systemd[1]: Starting NVIDIA fabric manager service...\n";
            if (fm != null && !fm.equals(loadedDriver)) {
                journal += "Nov 25 12:00:02 " + name + " nv-fabricmanager[104230]: fabric manager NVIDIA GPU driver interface "
                        + "version " + fm + " don't match with driver version " + loadedDriver
                        + ". Please update with matching NVIDIA driver package.\n";
            } else {
                journal += "Nov 25 12:00:03 " + name + " systemd[1]: Started NVIDIA fabric manager service.\n";
            }
            return new CommandResult(0, journal);
        }
        if (command.startsWith("dmesg") || command.startsWith("journalctl -k")) {
            return new CommandResult(0, SimOutputs.kernelLog(bootFaults()));
        }
        if (command.startsWith("dcgmi diag")) {
            boolean fails = bootFaults().contains(SimFault.DCGM_FAILS);
            return new CommandResult(fails ? 226 : 0, hardware.olderTools() ? SimOutputs.dcgmDiag3(name, visibleGpus, loadedDriver, fails)
                    : SimOutputs.dcgmDiag(name, visibleGpus, loadedDriver, fails));
        }
        Matcher ranks = MPI_RANKS.matcher(command);
        if (command.startsWith("mpirun ") && command.contains("all_reduce_perf") && ranks.find()) {
            return new CommandResult(0, SimOutputs.allReducePerfAcrossNodes(Integer.parseInt(ranks.group(1)),
                    bootFaults().contains(SimFault.NCCL_LOW)));
        }
        if (command.contains("all_reduce_perf")) {
            boolean low = bootFaults().contains(SimFault.NCCL_LOW);
            return new CommandResult(0, hardware.olderTools() ? SimOutputs.allReducePerfLegacy(visibleGpus, low)
                    : SimOutputs.allReducePerf(visibleGpus, low));
        }
        return new CommandResult(127, "sh: 1: " + command.split(" ")[0] + ": not found\n");
    }

    private SimGpuQuery.View view() {
        return new SimGpuQuery.View(name, hardware, loadedDriver, packages.get("nvidia-driver"), mismatch(), visibleGpus,
                bootFaults().contains(SimFault.XID_48));
    }

    /** The faults of the driver the host runs now. */
    private Set<SimFault> bootFaults() {
        return faults.apply(loadedDriver);
    }

    private boolean mismatch() {
        return !java.util.Objects.equals(loadedDriver, packages.get("nvidia-driver"))
                || faults.apply(loadedDriver).contains(SimFault.NVML_MISMATCH);
    }

    private CommandResult nvidiaSmi() {
        return new CommandResult(18, "Failed to initialize NVML: Driver/library version mismatch\n"
                + "NVML library version: " + packages.get("nvidia-driver") + "\n");
    }

    /** The driver version the install job that {@code command} just started installs (null for other jobs). */
    private String startedDriver(String command) {
        Matcher install = INSTALL.matcher(command);
        return install.find() && jobs.containsKey(install.group(2)) ? jobs.get(install.group(2)).versions().get("nvidia-driver") : null;
    }

    private CommandResult startJob(String id, String work, Instant now) {
        if (jobs.containsKey(id)) {
            return new CommandResult(0, "exists\n");
        }
        if (work.contains("nvfwupd") || work.contains("mlxfwmanager")) {
            Map<String, String> flashed = new LinkedHashMap<>();
            Matcher image = FIRMWARE_IMAGE.matcher(work);
            while (image.find()) {
                flashed.put(FLASHED + image.group(1), image.group(2));
            }
            jobs.put(id, new SimJob(now.plus(installDuration), flashed, null, ""));
            installs++;
            return new CommandResult(0, "started\n");
        }
        if (work.startsWith("dcgmi diag") || work.startsWith("all_reduce_perf")) {
            CommandResult answer = answer(work, now);
            jobs.put(id, new SimJob(now.plus(burnInDuration), Map.of(), null, "", now, answer.exitStatus(), answer.output()));
            return new CommandResult(0, "started\n");
        }
        Map<String, String> versions = new LinkedHashMap<>();
        boolean dnf = work.contains("dnf install");
        Matcher spec = (dnf ? RPM_SPEC : PACKAGE_SPEC).matcher(work.substring(work.indexOf(dnf ? "dnf install" : "apt-get install")));
        while (spec.find()) {
            versions.put(spec.group(1).equals("nvidia-fabric-manager") ? "nvidia-fabricmanager" : spec.group(1), spec.group(2));
        }
        if (faults.apply(versions.get("nvidia-driver")).contains(SimFault.FM_MISMATCH)) {
            versions.remove("nvidia-fabricmanager");
        }
        jobs.put(id, new SimJob(now.plus(installDuration), versions, null, ""));
        pinned = work.contains("apt-mark hold ") || work.contains("versionlock add ");
        installs++;
        return new CommandResult(0, "started\n");
    }

    private CommandResult jobStatus(String id, Instant now) {
        SimJob job = jobs.get(id);
        if (job == null) {
            return new CommandResult(0, "none\n");
        }
        if (job.exitStatus() == null) {
            return new CommandResult(0, "running\n");
        }
        return new CommandResult(0, "rc " + job.exitStatus() + "\n" + job.log());
    }

    private void advance(Instant now) {
        for (Map.Entry<String, SimJob> entry : jobs.entrySet()) {
            SimJob job = entry.getValue();
            if (job.exitStatus() == null && job.check()) {
                if (!heavyChecksHeld && !now.isBefore(job.finishAt())) {
                    entry.setValue(new SimJob(job.finishAt(), job.versions(), job.pendingExit(), job.pendingLog(), job.startAt(),
                            job.pendingExit(), job.pendingLog()));
                }
                continue;
            }
            if (job.exitStatus() == null && !now.isBefore(job.finishAt())) {
                String driver = job.versions().getOrDefault("nvidia-driver", "");
                java.util.Optional<String> badFirmware = job.versions().entrySet().stream()
                        .filter(e -> e.getKey().startsWith(FLASHED) && faults.apply(e.getValue()).contains(SimFault.INSTALL_FAILS))
                        .map(Map.Entry::getValue).findFirst();
                if (job.versions().isEmpty() && !job.check()) {
                    entry.setValue(new SimJob(job.finishAt(), job.versions(), 1, "Error: no firmware image found\n"));
                } else if (badFirmware.isPresent()) {
                    entry.setValue(new SimJob(job.finishAt(), job.versions(), 1, "Updating firmware " + badFirmware.get()
                            + "\nError: FW update failed: image verification failed (signature mismatch)\n"));
                } else if (faults.apply(driver).contains(SimFault.INSTALL_FAILS)) {
                    entry.setValue(new SimJob(job.finishAt(), job.versions(), 100, "E: Sub-process /usr/bin/dpkg returned an "
                            + "error code (1)\nnvidia-dkms-" + driver.split("\\.")[0] + ": building kernel module failed\n"));
                } else {
                    packages.putAll(job.versions());
                    entry.setValue(new SimJob(job.finishAt(), job.versions(), 0, "Setting up " + job.versions() + "\n"));
                }
            }
        }
        if (rebootAt != null && !now.isBefore(rebootAt)) {
            downUntil = rebootAt.plus(rebootDuration);
            rebootAt = null;
            hung = faults.apply(packages.get("nvidia-driver")).contains(SimFault.REBOOT_HANGS);
        }
        if (downUntil != null && !hung && !now.isBefore(downUntil)) {
            downUntil = null;
            for (String component : java.util.List.of("gpu-firmware", "nvswitch-firmware", "nic-firmware")) {
                String flashed = packages.get(FLASHED + component);
                if (flashed != null && (powerCycle || component.equals("nic-firmware"))) {
                    packages.put(component, flashed);
                    packages.remove(FLASHED + component);
                }
            }
            powerCycle = false;
            dropsLeft = 2;
            bootId = newBootId();
            loadedDriver = packages.get("nvidia-driver");
            visibleGpus = faults.apply(loadedDriver).contains(SimFault.GPU_MISSING) ? gpuCount - 1 : gpuCount;
        }
    }

    /** The running firmware of a component: the hardware's first, then what a reset activated. */
    private String firmware(String component) {
        return packages.getOrDefault(component, switch (component) {
            case "gpu-firmware" -> hardware.vbios();
            case "nvswitch-firmware" -> "96.10.6D.00.01";
            default -> "28.39.1002";
        });
    }

    private static String newBootId() {
        return UUID.randomUUID().toString();
    }
}
