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

import io.waveline.ssh.CommandResult;
import io.waveline.ssh.NodeUnreachableException;

/**
 * One simulated GPU host that answers the commands Waveline sends like a real Ubuntu or RHEL host with NVIDIA GPUs:
 * {@code dpkg-query} or {@code rpm -q}, detached {@code apt-get install} or {@code dnf install} jobs with pid/rc files, {@code systemctl reboot} with
 * downtime and a new boot_id, {@code /proc/driver/nvidia/version} and {@code nvidia-smi --query-gpu} in the real
 * CSV format. An installed driver takes effect only after a reboot; until then nvidia-smi answers "Driver/library
 * version mismatch", as a real one does. Time comes from the caller, so tests control it.
 */
public final class SimHost {

    private static final Pattern INSTALL = Pattern.compile("nohup sh -c '(.*); echo \\$\\? > ([a-z0-9-]+)\\.rc'");
    private static final Pattern JOB_STATUS = Pattern.compile("if \\[ -e ([a-z0-9-]+)\\.rc \\]");
    private static final Pattern PACKAGE_SPEC = Pattern.compile("(nvidia-driver|nvidia-fabricmanager)-[0-9]+=([A-Za-z0-9._+~-]+)-1");
    private static final Pattern RPM_SPEC = Pattern.compile("(nvidia-driver|nvidia-fabric-manager)-(?:3:)?([0-9][A-Za-z0-9._+~]*)");
    private static final String[] BUS_IDS = {"18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"};

    private final String name;
    private final int gpuCount;
    private final Function<String, Set<SimFault>> faults;
    private final Duration installDuration;
    private final Duration rebootDuration;
    private final Map<String, String> packages = new LinkedHashMap<>();
    private final Map<String, Job> jobs = new HashMap<>();
    private String loadedDriver;
    private String bootId;
    private int visibleGpus;
    private Instant rebootAt;
    private Instant downUntil;
    private boolean hung;
    private int installs;
    private int dropsLeft = 2;

    /** A job as stored: when it finishes, what it installs, and (once done) its exit status and log. */
    public record Job(Instant finishAt, Map<String, String> versions, Integer exitStatus, String log) {
    }

    /** Everything a host remembers, so a simulated fleet can outlive the process that serves it. */
    public record State(Map<String, String> packages, Map<String, Job> jobs, String loadedDriver, String bootId,
            int visibleGpus, Instant rebootAt, Instant downUntil, boolean hung, int installs, int dropsLeft) {
    }

    public synchronized State state() {
        return new State(Map.copyOf(packages), Map.copyOf(jobs), loadedDriver, bootId, visibleGpus, rebootAt, downUntil,
                hung, installs, dropsLeft);
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
    }

    public SimHost(String name, int gpuCount, Map<String, String> versions, Function<String, Set<SimFault>> faults,
            Duration installDuration, Duration rebootDuration) {
        this.name = name;
        this.gpuCount = gpuCount;
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

    public synchronized Map<String, String> installedVersions() {
        return Map.copyOf(packages);
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
        Matcher install = INSTALL.matcher(command);
        if (install.find()) {
            return startJob(install.group(2), install.group(1), now);
        }
        Matcher status = JOB_STATUS.matcher(command);
        if (status.find()) {
            return jobStatus(status.group(1), now);
        }
        if (command.equals("cat /proc/sys/kernel/random/boot_id")) {
            return new CommandResult(0, bootId + "\n");
        }
        if (command.startsWith("rpm -q")) {
            StringBuilder out = new StringBuilder();
            for (String component : new String[] {"nvidia-driver", "nvidia-fabricmanager"}) {
                String rpm = component.equals("nvidia-driver") ? "nvidia-driver" : "nvidia-fabric-manager";
                out.append(packages.containsKey(component) ? rpm + " " + packages.get(component)
                        : "package " + rpm + " is not installed").append('\n');
            }
            return new CommandResult(0, out.toString());
        }
        if (command.startsWith("dpkg-query")) {
            StringBuilder out = new StringBuilder();
            packages.forEach((component, version) -> {
                if (component.startsWith("nvidia-")) {
                    out.append(component).append('-').append(version.split("\\.")[0]).append(' ').append(version)
                            .append("-1\n");
                }
            });
            return new CommandResult(0, out.toString());
        }
        if (command.contains("systemctl reboot")) {
            rebootAt = now;
            return new CommandResult(0, "");
        }
        if (command.equals("cat /proc/driver/nvidia/version")) {
            return loadedDriver == null ? new CommandResult(1, "cat: /proc/driver/nvidia/version: No such file or directory\n")
                    : new CommandResult(0, "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  " + loadedDriver
                            + "  Release Build  (dvs-builder@U16-I3-B03-4-3)  Fri Mar 14 17:06:23 UTC 2025\n"
                            + "GCC version:  gcc version 12.3.0 (Ubuntu 12.3.0-1ubuntu1~22.04)\n");
        }
        if (command.startsWith("nvidia-smi --query-gpu=index,vbios_version")) {
            if (!java.util.Objects.equals(loadedDriver, packages.get("nvidia-driver"))) {
                return nvidiaSmi();
            }
            StringBuilder out = new StringBuilder();
            boolean dbe = bootFaults().contains(SimFault.XID_48);
            for (int i = 0; i < visibleGpus; i++) {
                boolean bad = dbe && i == 3;
                out.append(i).append(", 96.00.99.00.01, Enabled, Disabled, ").append(bad ? 2 : 0).append(", ")
                        .append(bad ? "Yes" : "No").append(", No, 0x0000000000000000\n");
            }
            return new CommandResult(0, out.toString());
        }
        if (command.startsWith("nvidia-smi --query-gpu=")) {
            return nvidiaSmi();
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
            return new CommandResult(fails ? 226 : 0, SimOutputs.dcgmDiag(name, visibleGpus, loadedDriver, fails));
        }
        if (command.contains("all_reduce_perf")) {
            return new CommandResult(0, SimOutputs.allReducePerf(visibleGpus, bootFaults().contains(SimFault.NCCL_LOW)));
        }
        return new CommandResult(127, "sh: 1: " + command.split(" ")[0] + ": not found\n");
    }

    /** The faults of the driver the host runs now. */
    private Set<SimFault> bootFaults() {
        return faults.apply(loadedDriver);
    }

    private CommandResult nvidiaSmi() {
        boolean mismatch = !java.util.Objects.equals(loadedDriver, packages.get("nvidia-driver"))
                || faults.apply(loadedDriver).contains(SimFault.NVML_MISMATCH);
        if (mismatch) {
            return new CommandResult(18, "Failed to initialize NVML: Driver/library version mismatch\n"
                    + "NVML library version: " + packages.get("nvidia-driver") + "\n");
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < visibleGpus; i++) {
            String uuid = UUID.nameUUIDFromBytes((name + "/" + i).getBytes(StandardCharsets.UTF_8)).toString();
            out.append(i).append(", GPU-").append(uuid).append(", 00000000:").append(BUS_IDS[i % BUS_IDS.length])
                    .append(":00.0, ").append(loadedDriver).append('\n');
        }
        return new CommandResult(0, out.toString());
    }

    private CommandResult startJob(String id, String work, Instant now) {
        if (jobs.containsKey(id)) {
            return new CommandResult(0, "exists\n");
        }
        Map<String, String> versions = new LinkedHashMap<>();
        boolean dnf = work.contains("dnf install");
        Matcher spec = (dnf ? RPM_SPEC : PACKAGE_SPEC).matcher(work.substring(work.indexOf(dnf ? "dnf install" : "apt-get install")));
        while (spec.find()) {
            versions.put(spec.group(1).equals("nvidia-fabric-manager") ? "nvidia-fabricmanager" : spec.group(1), spec.group(2));
        }
        jobs.put(id, new Job(now.plus(installDuration), versions, null, ""));
        installs++;
        return new CommandResult(0, "started\n");
    }

    private CommandResult jobStatus(String id, Instant now) {
        Job job = jobs.get(id);
        if (job == null) {
            return new CommandResult(0, "none\n");
        }
        if (job.exitStatus() == null) {
            return new CommandResult(0, "running\n");
        }
        return new CommandResult(0, "rc " + job.exitStatus() + "\n" + job.log());
    }

    private void advance(Instant now) {
        for (Map.Entry<String, Job> entry : jobs.entrySet()) {
            Job job = entry.getValue();
            if (job.exitStatus() == null && !now.isBefore(job.finishAt())) {
                String driver = job.versions().getOrDefault("nvidia-driver", "");
                if (faults.apply(driver).contains(SimFault.INSTALL_FAILS)) {
                    entry.setValue(new Job(job.finishAt(), job.versions(), 100, "E: Sub-process /usr/bin/dpkg returned an "
                            + "error code (1)\nnvidia-dkms-" + driver.split("\\.")[0] + ": building kernel module failed\n"));
                } else {
                    packages.putAll(job.versions());
                    entry.setValue(new Job(job.finishAt(), job.versions(), 0, "Setting up " + job.versions() + "\n"));
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
            dropsLeft = 2;
            bootId = newBootId();
            loadedDriver = packages.get("nvidia-driver");
            visibleGpus = faults.apply(loadedDriver).contains(SimFault.GPU_MISSING) ? gpuCount - 1 : gpuCount;
        }
    }

    private static String newBootId() {
        return UUID.randomUUID().toString();
    }
}
