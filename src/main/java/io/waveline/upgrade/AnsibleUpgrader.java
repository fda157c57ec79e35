package io.waveline.upgrade;

import io.waveline.rollout.port.Upgrader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.waveline.plan.MethodSettings;
import io.waveline.plan.MethodSpec.Method;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.plan.Durations;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The {@code ansible} method: the install is {@code ansible-playbook} for this one node ({@link AnsibleRuns}: the
 * plan's {@code playbook}, default {@code upgrade.yml} of {@code waveline.ansible.dir}, {@code --limit <node>}, the
 * target versions as extra vars, with {@code nvidia_reboot} and {@code nvidia_verify} off because Waveline reboots
 * and checks itself), with the plan's {@code inventory} or one Waveline writes from its own (address, port, user,
 * {@code waveline.ssh.private-key}, {@code waveline.ssh.known-hosts}); its failures name the task and message.
 * Reading versions, the boot id and the reboot go over SSH as in the {@code ssh} method. A rollback runs the same
 * playbook with the previous versions. The process runs on the replica that started it; who runs it, its heartbeat
 * and its outcome are kept in {@link AnsibleRunLedger}, so a replica taking the rollout over follows the run, reads
 * its outcome, or starts it again only if its replica is gone.
 */
@ApplicationScoped
public class AnsibleUpgrader implements Upgrader {

    @ConfigProperty(name = "waveline.ansible.dir", defaultValue = "ansible")
    String ansibleDir;

    @ConfigProperty(name = "waveline.ansible.jobs-dir", defaultValue = "${waveline.data-dir}/ansible-jobs")
    String jobsDir;

    @ConfigProperty(name = "waveline.ansible.timeout", defaultValue = "1h")
    String defaultTimeout;

    @ConfigProperty(name = "waveline.ssh.private-key")
    Optional<String> privateKey;

    @ConfigProperty(name = "waveline.ssh.known-hosts", defaultValue = "${user.home}/.ssh/known_hosts")
    String knownHosts;

    @Inject
    PackageUpgrader ssh;

    @Inject
    AnsibleRunLedger ledger;

    @Inject
    io.waveline.rollout.Replica replica;

    /** The runs this replica started and that still run, by job id. */
    private final Map<String, Local> local = new java.util.concurrent.ConcurrentHashMap<>();

    private record Local(String host, Duration timeout, Process process) {
    }

    private AnsibleRuns runs() {
        return new AnsibleRuns(Path.of(jobsDir), Path.of(ansibleDir));
    }


    @Override
    public Method method() {
        return Method.ANSIBLE;
    }

    @Override
    public String installer(Map<String, String> versions, MethodSettings settings) {
        return "ansible-playbook " + settings.playbook().orElse("upgrade.yml");
    }

    @Override
    public String bootId(NodeAddress node, MethodSettings settings) throws NodeUnreachableException {
        return ssh.bootId(node);
    }

    @Override
    public Map<String, String> installedVersions(NodeAddress node, MethodSettings settings) throws NodeUnreachableException {
        return ssh.installedVersions(node, PackageUpgrader.manager(settings));
    }

    @Override
    public String startInstall(NodeAddress node, String jobId, Map<String, String> versions, MethodSettings settings) {
        Duration timeout = settings.timeout().or(() -> Durations.parse(defaultTimeout)).orElse(Duration.ofHours(1));
        Path inventory = settings.inventory().map(Path::of).orElseGet(() -> render(node, jobId));
        Map<String, Object> vars = new LinkedHashMap<>();
        vars.put("nvidia_driver_version", versions.get("nvidia-driver"));
        vars.put("nvidia_fabricmanager_version", versions.getOrDefault("nvidia-fabricmanager", ""));
        vars.put("nvidia_reboot", false);
        vars.put("nvidia_verify", false);
        vars.put("target", "all");
        List<String> options = new ArrayList<>();
        if (settings.become()) {
            options.add("--become");
        }
        settings.forks().ifPresent(forks -> options.addAll(List.of("--forks", Integer.toString(forks))));
        AnsibleRuns runs = runs();
        if (runs.exists(jobId) || !ledger.claim(jobId, node.name(), replica.id())) {
            return Durations.format(timeout); // started here before a restart, or by another replica: followed, not repeated
        }
        runs.start(jobId, node.name(), inventory, settings.playbook().orElse("upgrade.yml"), vars, timeout, options)
                .ifPresent(process -> local.put(jobId, new Local(node.name(), timeout, process)));
        return Durations.format(timeout);
    }

    /** Every few seconds: the heartbeat of the runs this replica started, and the outcome of those that ended. */
    @io.quarkus.scheduler.Scheduled(every = "5s", identity = "ansible-heartbeat",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    void beat() {
        for (Map.Entry<String, Local> run : local.entrySet()) {
            try {
                if (run.getValue().process().isAlive()) {
                    ledger.beat(run.getKey(), replica.id());
                } else {
                    JobStatus status = runs().status(run.getKey(), run.getValue().host(), run.getValue().timeout());
                    if (status.state() == JobStatus.State.DONE) {
                        ledger.finish(run.getKey(), status);
                    }
                    local.remove(run.getKey());
                }
            } catch (RuntimeException e) {
                org.jboss.logging.Logger.getLogger(AnsibleUpgrader.class).warnf("Could not record ansible run %s: %s", run.getKey(),
                        e.getMessage());
            }
        }
    }

    /** An inventory of this one node from Waveline's own, with its SSH settings. */
    private Path render(NodeAddress node, String jobId) {
        try {
            Path dir = Files.createDirectories(Path.of(jobsDir));
            Path file = dir.resolve(jobId + ".inventory.ini");
            StringBuilder ini = new StringBuilder("[gpu_nodes]\n").append(node.name()).append(" ansible_host=").append(node.host())
                    .append(" ansible_port=").append(node.port());
            if (node.user() != null) {
                ini.append(" ansible_user=").append(node.user());
            }
            privateKey.ifPresent(k -> ini.append(" ansible_ssh_private_key_file=").append(k));
            ini.append(" ansible_ssh_common_args='-o UserKnownHostsFile=").append(knownHosts).append(" -o StrictHostKeyChecking=yes'\n");
            Files.writeString(file, ini);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the inventory for " + node.name(), e);
        }
    }

    /** The handle is the run's time limit, so a restarted Waveline still names it when the run was stopped. */
    @Override
    public JobStatus job(NodeAddress node, String jobId, String handle, Map<String, String> versions, MethodSettings settings) {
        Duration timeout = Durations.parse(handle == null ? defaultTimeout : handle).orElse(Duration.ofHours(1));
        JobStatus here = runs().status(jobId, node.name(), timeout);
        if (here.state() == JobStatus.State.RUNNING) {
            ledger.beat(jobId, replica.id());
        } else if (here.state() == JobStatus.State.DONE) {
            ledger.finish(jobId, here);
        }
        return here.state() == JobStatus.State.NOT_FOUND ? ledger.status(jobId) : here;
    }

    /** Waveline's own reboot, over SSH; through sudo when the plan says {@code become: true}, as the playbook runs. */
    @Override
    public void reset(NodeAddress node, Reset reset, MethodSettings settings) throws NodeUnreachableException {
        ssh.reset(node, reset, MethodSettings.of(settings.become() ? Map.of("sudo", "true") : Map.of()));
    }
}
