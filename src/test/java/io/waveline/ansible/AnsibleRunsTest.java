package io.waveline.ansible;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.waveline.rollout.port.JobStatus;
import io.waveline.upgrade.AnsibleReport;
import io.waveline.upgrade.AnsibleRuns;

/**
 * Waveline's side of the ansible method: {@code AnsibleRuns} starts the real ansible-playbook detached for one node
 * (--limit), with the versions as a JSON extra-vars file, finds the run again by its job id, and turns its JSON report
 * into success or the failed task with its message; past its time limit the run is stopped. On the loopback hosts of
 * {@link LoopbackAnsibleHosts}.
 */
class AnsibleRunsTest extends LoopbackAnsibleHosts {

    static final Duration PATIENCE = Duration.ofSeconds(120);

    static Map<String, Object> vars(String version) {
        return Map.of("nvidia_driver_version", version, "nvidia_fabricmanager_version", version, "target", "all");
    }

    @Test
    void aRunForOneNodeIsFoundByItsJobIdAndReportsSuccessOrTheFailedTask() throws Exception {
        AnsibleRuns runs = new AnsibleRuns(root.resolve("jobs"), Path.of("ansible"));
        runs.start("wl-1-up", "node-a", inventory, "upgrade.yml", vars("570.133.20"), Duration.ofMinutes(5), List.of("--forks", "3"));
        runs.start("wl-1-up", "node-a", inventory, "upgrade.yml", vars("570.133.20"), Duration.ofMinutes(5));
        await().atMost(PATIENCE).until(() -> runs.status("wl-1-up", "node-a", Duration.ofMinutes(5)).state() == JobStatus.State.DONE);
        JobStatus done = runs.status("wl-1-up", "node-a", Duration.ofMinutes(5));
        assertThat(done.output()).startsWith("ansible-playbook: ok=").contains("failed=0 unreachable=0");
        assertThat(done.succeeded()).isTrue();
        assertThat(installed("node-a", "nvidia-driver-570")).isEqualTo("570.133.20-1");
        assertThat(installed("node-b", "nvidia-driver-570")).as("--limit: only node-a").isEqualTo("none");
        assertThat(runs.status("wl-9-up", "node-a", Duration.ofMinutes(5)).state()).isEqualTo(JobStatus.State.NOT_FOUND);

        Files.writeString(root.resolve("node-b/state/fail-575.51.02"), "");
        runs.start("wl-2-up", "node-b", inventory, "upgrade.yml", vars("575.51.02"), Duration.ofMinutes(5));
        await().atMost(PATIENCE).until(() -> runs.status("wl-2-up", "node-b", Duration.ofMinutes(5)).state() == JobStatus.State.DONE);
        JobStatus failed = runs.status("wl-2-up", "node-b", Duration.ofMinutes(5));
        assertThat(failed.succeeded()).isFalse();
        assertThat(failed.output()).isEqualTo("task nvidia_driver : Install the driver and Fabric Manager together failed: "
                + "E: Sub-process /usr/bin/dpkg returned an error code (1)");
    }

    @Test
    void optionsOtherThanWordsAndNumbersAreRefusedBeforeAnythingRuns() {
        AnsibleRuns runs = new AnsibleRuns(root.resolve("jobs"), Path.of("ansible"));
        assertThatThrownBy(() -> runs.start("wl-4-up", "node-a", inventory, "upgrade.yml", vars("570.133.20"), Duration.ofMinutes(5),
                List.of("--forks=5;id"))).hasMessage("refusing ansible-playbook option --forks=5;id");
        assertThat(runs.status("wl-4-up", "node-a", Duration.ofMinutes(5)).state()).isEqualTo(JobStatus.State.NOT_FOUND);
    }

    @Test
    void aRunPastItsTimeLimitIsStopped() throws Exception {
        AnsibleRuns runs = new AnsibleRuns(root.resolve("jobs"), Path.of("ansible"));
        runs.start("wl-3-up", "node-a", inventory, "upgrade.yml", vars("570.133.20"), Duration.ofSeconds(1));
        await().atMost(PATIENCE).until(() -> runs.status("wl-3-up", "node-a", Duration.ofSeconds(1)).state() == JobStatus.State.DONE);
        JobStatus stopped = runs.status("wl-3-up", "node-a", Duration.ofSeconds(1));
        assertThat(stopped.exitStatus()).isEqualTo(124);
        assertThat(stopped.output()).isEqualTo("ansible-playbook ran past its time limit of 1s and was stopped");
    }

    @Test
    void reportsThatCannotBeReadAreFailures() {
        assertThat(AnsibleReport.problem("", "node-a")).contains("ansible-playbook printed no report");
        assertThat(AnsibleReport.problem("{\"plays\": [", "node-a")).contains("the ansible-playbook report cannot be read (truncated?)");
        assertThat(AnsibleReport.problem("{\"plays\": [], \"stats\": {}}", "node-a")).get().asString().startsWith("host node-a is not in");
        assertThat(AnsibleReport.problem("{\"plays\": [{\"tasks\": [{\"task\": {\"name\": \"Gathering Facts\"}, \"hosts\": {\"node-a\":"
                + " {\"unreachable\": true, \"msg\": \"Failed to connect to the host via ssh: Connection refused\"}}}]}],"
                + " \"stats\": {\"node-a\": {\"unreachable\": 1}}}", "node-a"))
                .contains("unreachable in task Gathering Facts: Failed to connect to the host via ssh: Connection refused");
    }
}
