package io.waveline.ansible;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.waveline.plan.MethodSettings;
import io.waveline.rollout.port.JobStatus;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.upgrade.AnsibleRunLedger;
import io.waveline.upgrade.AnsibleUpgrader;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * The ansible method after another replica took the rollout over: the playbook run lives on the replica that started
 * it, and its state is in the database for every replica. A run that another live replica runs is followed, not
 * started again; its outcome is read once it ended; only a run whose replica is gone (no heartbeat) may start anew.
 */
@QuarkusTest
class AnsibleTakeoverTest {

    @Inject
    AnsibleUpgrader ansible;

    @Inject
    AnsibleRunLedger ledger;

    @Inject
    EntityManager em;

    @ConfigProperty(name = "waveline.ansible.jobs-dir", defaultValue = "${waveline.data-dir}/ansible-jobs")
    String jobsDir;

    static final NodeAddress NODE = new NodeAddress("gpu-h100-14", "127.0.0.1", 22, "root");
    static final Map<String, String> VERSIONS = Map.of("nvidia-driver", "570.133.20");

    void runElsewhere(String jobId, String heartbeat) {
        QuarkusTransaction.requiringNew().run(() -> em.createNativeQuery("insert into ansible_run (job_id, host, replica, heartbeat_at)"
                + " values (?1, ?2, 'replica-elsewhere', now() - cast(?3 as interval))").setParameter(1, jobId).setParameter(2, NODE.name())
                .setParameter(3, heartbeat).executeUpdate());
    }

    @Test
    void aRunOfAnotherLiveReplicaIsFollowedAndItsOutcomeRead() throws Exception {
        String jobId = "wl-takeover-1-up";
        runElsewhere(jobId, "1 second");

        ansible.startInstall(NODE, jobId, VERSIONS, MethodSettings.of(Map.of()));

        assertThat(Files.exists(Path.of(jobsDir, jobId + ".log"))).as("not started here a second time").isFalse();
        assertThat(ansible.job(NODE, jobId, "1h", VERSIONS, MethodSettings.of(Map.of())).state()).isEqualTo(JobStatus.State.RUNNING);

        ledger.finish(jobId, new JobStatus(JobStatus.State.DONE, 0, "gpu-h100-14: ok=7 changed=3 failed=0"));
        JobStatus done = ansible.job(NODE, jobId, "1h", VERSIONS, MethodSettings.of(Map.of()));
        assertThat(done.state()).isEqualTo(JobStatus.State.DONE);
        assertThat(done.exitStatus()).isZero();
        assertThat(done.output()).isEqualTo("gpu-h100-14: ok=7 changed=3 failed=0");
        assertThat(ledger.claim(jobId, NODE.name(), "replica-here")).as("an ended run is never started again").isFalse();
    }

    @Test
    void aRunWhoseReplicaIsGoneIsNotFoundAndMayStartAgain() {
        String jobId = "wl-takeover-2-up";
        runElsewhere(jobId, "5 minutes");

        assertThat(ansible.job(NODE, jobId, "1h", VERSIONS, MethodSettings.of(Map.of())).state()).isEqualTo(JobStatus.State.NOT_FOUND);
        assertThat(ledger.claim(jobId, NODE.name(), "replica-here")).isTrue();
        assertThat(ledger.claim(jobId, NODE.name(), "replica-third")).as("claimed now, and alive").isFalse();
    }
}
