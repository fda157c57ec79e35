package io.waveline.upgrade;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.waveline.rollout.port.JobStatus;

/**
 * Runs {@code ansible-playbook} for one node at a time, detached from Waveline and found again by its job id: the
 * process writes its JSON report ({@code <job>.json}), its log ({@code <job>.log}) and, when it ends, its exit status
 * ({@code <job>.rc}) into a jobs folder; {@code timeout} stops it (TERM, then KILL 30 s later) past its time limit.
 * The command is an argument list, never a shell line: the host name is checked against a strict pattern and the
 * versions reach the playbook as a JSON extra-vars file.
 */
public final class AnsibleRuns {

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,252}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path jobs;
    private final Path ansibleDir;

    /**
     * @param jobs where the runs' files go
     * @param ansibleDir the folder with {@code ansible.cfg} and the playbooks
     */
    public AnsibleRuns(Path jobs, Path ansibleDir) {
        this.jobs = jobs;
        this.ansibleDir = ansibleDir;
    }

    /** Starts the playbook for {@code host} unless a run with this job id exists; answers the process it started. */
    public java.util.Optional<Process> start(String jobId, String host, Path inventory, String playbook, Map<String, Object> extraVars,
            Duration timeout) {
        return start(jobId, host, inventory, playbook, extraVars, timeout, List.of());
    }

    /** Whether a run with this job id was started here (its files are in this jobs folder). */
    public boolean exists(String jobId) {
        io.waveline.rollout.port.DetachedJob.checkJobId(jobId);
        return Files.exists(jobs.resolve(jobId + ".log"));
    }

    /** As above with more ansible-playbook options ({@code --become}, {@code --forks 5}): fixed words and numbers only. */
    public java.util.Optional<Process> start(String jobId, String host, Path inventory, String playbook, Map<String, Object> extraVars, Duration timeout,
            List<String> options) {
        for (String option : options) {
            if (!option.matches("--?[a-z][a-z-]*|[0-9]{1,4}")) {
                throw new IllegalArgumentException("refusing ansible-playbook option " + option);
            }
        }
        io.waveline.rollout.port.DetachedJob.checkJobId(jobId);
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("refusing host name " + host);
        }
        try {
            Files.createDirectories(jobs);
            if (Files.exists(jobs.resolve(jobId + ".log"))) {
                return java.util.Optional.empty();
            }
            Path vars = jobs.resolve(jobId + ".vars.json");
            Files.writeString(vars, JSON.writeValueAsString(extraVars));
            List<String> command = new ArrayList<>(List.of("timeout", "-k", "30", Long.toString(Math.max(1, timeout.toSeconds())),
                    "ansible-playbook", "-i", inventory.toAbsolutePath().toString(), playbook, "--limit", host,
                    "-e", "@" + vars.toAbsolutePath()));
            command.addAll(options);
            String script = "out=\"$1\"; err=\"$2\"; rc=\"$3\"; shift 3; \"$@\" > \"$out\" 2> \"$err\"; echo $? > \"$rc\"";
            List<String> wrapper = new ArrayList<>(List.of("sh", "-c", script, "ansible-run", jobs.resolve(jobId + ".json").toString(),
                    jobs.resolve(jobId + ".log").toString(), jobs.resolve(jobId + ".rc").toString()));
            wrapper.addAll(command);
            ProcessBuilder builder = new ProcessBuilder(wrapper).directory(ansibleDir.toFile());
            builder.environment().put("ANSIBLE_STDOUT_CALLBACK", "waveline_json");
            builder.environment().put("ANSIBLE_CONFIG", ansibleDir.resolve("ansible.cfg").toAbsolutePath().toString());
            builder.environment().put("ANSIBLE_NOCOLOR", "1");
            Files.writeString(jobs.resolve(jobId + ".log"), "");
            return java.util.Optional.of(builder.redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start ansible-playbook for " + host, e);
        }
    }

    /** NOT_FOUND, RUNNING, or DONE with the exit status and what went wrong for the host (or nothing). */
    public JobStatus status(String jobId, String host, Duration timeout) {
        io.waveline.rollout.port.DetachedJob.checkJobId(jobId);
        try {
            if (!Files.exists(jobs.resolve(jobId + ".log"))) {
                return JobStatus.notFound();
            }
            Path rc = jobs.resolve(jobId + ".rc");
            if (!Files.exists(rc) || Files.readString(rc).isBlank()) {
                return JobStatus.running();
            }
            int exit = Integer.parseInt(Files.readString(rc).strip());
            if (exit == 124 || exit == 137) {
                return new JobStatus(JobStatus.State.DONE, exit, "ansible-playbook ran past its time limit of "
                        + io.waveline.plan.Durations.format(timeout) + " and was stopped");
            }
            String report = Files.exists(jobs.resolve(jobId + ".json")) ? Files.readString(jobs.resolve(jobId + ".json")) : "";
            String problem = AnsibleReport.problem(report, host).orElse("");
            if (exit != 0 && problem.isEmpty()) {
                problem = "ansible-playbook exited with " + exit + ": " + AnsibleReport.oneLine(Files.readString(jobs.resolve(jobId + ".log")));
            }
            return new JobStatus(JobStatus.State.DONE, problem.isEmpty() ? 0 : Math.max(exit, 1),
                    problem.isEmpty() ? AnsibleReport.summary(report, host) : problem);
        } catch (IOException | NumberFormatException e) {
            return new JobStatus(JobStatus.State.DONE, 255, "cannot read the ansible-playbook run " + jobId + ": " + e);
        }
    }
}
