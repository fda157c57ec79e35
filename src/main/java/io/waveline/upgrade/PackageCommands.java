package io.waveline.upgrade;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import io.waveline.plan.PlanParser;

/**
 * The shell commands of the {@code ssh} method for apt hosts (Ubuntu, Debian). Only validated values reach them:
 * component names from the known set and versions matching {@link PlanParser#VERSION}; anything else is refused
 * here, a second time, before a command is built.
 *
 * <p>Packages: {@code nvidia-driver} is {@code nvidia-driver-<branch>} and {@code nvidia-fabricmanager} is
 * {@code nvidia-fabricmanager-<branch>} (branch: the version's first number, as Ubuntu names them); the two are
 * installed in one {@code apt-get install} and held together with {@code apt-mark hold}, so an unattended upgrade
 * cannot move one without the other. The install runs detached ({@code nohup}) under a job id in
 * {@code /var/lib/waveline/jobs}, writing its exit status to {@code <id>.rc}.
 */
public final class PackageCommands {

    public static final String JOBS_DIR = "/var/lib/waveline/jobs";
    private static final Pattern JOB_ID = Pattern.compile("[a-z0-9-]{1,64}");
    private static final Map<String, String> PACKAGE_PREFIX = Map.of("nvidia-driver", "nvidia-driver-",
            "nvidia-fabricmanager", "nvidia-fabricmanager-");

    private PackageCommands() {
    }

    public static String bootId() {
        return "cat /proc/sys/kernel/random/boot_id";
    }

    public static String installedVersions() {
        return "dpkg-query -W -f='${Package} ${Version}\\n' 'nvidia-driver-*' 'nvidia-fabricmanager-*' 2>/dev/null";
    }

    /** Parses {@link #installedVersions()} output: {@code nvidia-driver-570 570.133.20-1} → nvidia-driver 570.133.20. */
    public static Map<String, String> parseInstalled(String output) {
        Map<String, String> versions = new LinkedHashMap<>();
        for (String line : output.split("\\R")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length != 2 || parts[1].isEmpty()) {
                continue;
            }
            for (Map.Entry<String, String> prefix : PACKAGE_PREFIX.entrySet()) {
                if (parts[0].startsWith(prefix.getValue()) && parts[0].substring(prefix.getValue().length()).matches("[0-9]+")) {
                    String version = parts[1].contains("-") ? parts[1].substring(0, parts[1].lastIndexOf('-')) : parts[1];
                    versions.put(prefix.getKey(), version);
                }
            }
        }
        return versions;
    }

    public static String install(String jobId, Map<String, String> versions) {
        List<String> specs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        versions.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            String component = entry.getKey();
            String version = entry.getValue();
            if (!PACKAGE_PREFIX.containsKey(component)) {
                throw new IllegalArgumentException("the ssh method cannot install " + component);
            }
            if (!PlanParser.VERSION.matcher(version).matches()) {
                throw new IllegalArgumentException("refusing unsafe version " + version);
            }
            String name = PACKAGE_PREFIX.get(component) + version.split("\\.")[0];
            names.add(name);
            specs.add(name + "=" + version + "-1");
        });
        String packages = String.join(" ", specs);
        String held = String.join(" ", names);
        String work = "apt-mark unhold " + held + "; apt-get install -y --allow-downgrades --allow-change-held-packages "
                + packages + " && apt-mark hold " + held;
        return detached(jobId, work);
    }

    private static String detached(String jobId, String work) {
        checkJobId(jobId);
        return "mkdir -p " + JOBS_DIR + " && cd " + JOBS_DIR + " && if [ -e " + jobId + ".pid ]; then echo exists; "
                + "else nohup sh -c '" + work + "; echo $? > " + jobId + ".rc' > " + jobId + ".log 2>&1 < /dev/null & "
                + "echo $! > " + jobId + ".pid; echo started; fi";
    }

    public static String jobStatus(String jobId) {
        checkJobId(jobId);
        return "cd " + JOBS_DIR + " 2>/dev/null && if [ -e " + jobId + ".rc ]; then echo \"rc $(cat " + jobId
                + ".rc)\"; tail -c 4000 " + jobId + ".log; elif [ -e " + jobId + ".pid ]; then echo running; "
                + "else echo none; fi";
    }

    public static JobStatus parseJobStatus(String output) {
        String first = output.lines().findFirst().orElse("").trim();
        if (first.startsWith("rc ")) {
            try {
                int rc = Integer.parseInt(first.substring(3).trim());
                return new JobStatus(JobStatus.State.DONE, rc, output.substring(output.indexOf('\n') + 1));
            } catch (NumberFormatException e) {
                return new JobStatus(JobStatus.State.DONE, 255, output);
            }
        }
        return first.equals("running") ? JobStatus.running() : JobStatus.notFound();
    }

    public static String reboot() {
        return "nohup sh -c 'sleep 1; systemctl reboot' > /dev/null 2>&1 < /dev/null &";
    }

    private static void checkJobId(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("refusing unsafe job id " + jobId);
        }
    }
}
