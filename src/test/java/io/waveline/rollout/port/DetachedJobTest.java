package io.waveline.rollout.port;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.waveline.sim.SimHost;

/** The detached job's commands, run by a real {@code /bin/sh} in a jobs folder of its own. */
class DetachedJobTest {

    @TempDir
    Path dir;

    private String sh(String command) throws Exception {
        Process process = new ProcessBuilder("/bin/sh", "-c", command.replace(DetachedJob.JOBS_DIR, dir.toString()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output;
    }

    @Test
    void aStatusThatWaitsAnswersWhenTheJobEnds() throws Exception {
        assertThat(sh(DetachedJob.start("wl-7-up", "sleep 0.3; echo installed"))).isEqualTo("started\n");
        assertThat(DetachedJob.parseStatus(sh(DetachedJob.status("wl-7-up", 4000))).state()).isEqualTo(JobStatus.State.RUNNING);

        JobStatus waited = DetachedJob.parseStatus(sh(DetachedJob.status("wl-7-up", 4000, Duration.ofSeconds(9))));

        assertThat(waited.state()).isEqualTo(JobStatus.State.DONE);
        assertThat(waited.exitStatus()).isZero();
        assertThat(waited.output()).isEqualTo("installed\n");
    }

    private int exit(String command) throws Exception {
        Process process = new ProcessBuilder("/bin/sh", "-c", command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getInputStream().readAllBytes();
        return process.waitFor();
    }

    @Test
    void aRunningJobHoldsItsLockForTheWaitingStatusAndGivesItUpAsItEndsThoughItsWorkLeftADaemon() throws Exception {
        assertThat(sh(DetachedJob.start("wl-12-up", "touch " + dir.resolve("begun") + "; sleep 0.3; sleep 31.7 > /dev/null 2>&1 &"
                + " echo installed"))).isEqualTo("started\n");
        try {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve("begun")));
            assertThat(exit("flock -n wl-12-up.lock true")).as("the lock, held while the job runs").isEqualTo(1);

            JobStatus waited = DetachedJob.parseStatus(sh(DetachedJob.status("wl-12-up", 4000, Duration.ofSeconds(9))));

            assertThat(waited.state()).isEqualTo(JobStatus.State.DONE);
            assertThat(waited.output()).isEqualTo("installed\n");
            assertThat(exit("flock -n wl-12-up.lock true")).as("free once the job ended, though the daemon it started runs on")
                    .isZero();
        } finally {
            exit("pkill -f 'sleep 31.7'");
        }
    }

    @Test
    void aStatusThatWaitsAnswersRunningWhenTheJobOutlastsTheWait() throws Exception {
        sh(DetachedJob.start("wl-8-up", "sleep 30"));

        assertThat(DetachedJob.parseStatus(sh(DetachedJob.status("wl-8-up", 4000, Duration.ofMillis(200)))).state())
                .isEqualTo(JobStatus.State.RUNNING);
        sh("kill $(cat " + DetachedJob.JOBS_DIR + "/wl-8-up.pid)");
    }

    @Test
    void aJobWhoseExitStatusIsNotWrittenYetIsStillRunning() throws Exception {
        Files.writeString(dir.resolve("wl-9-up.pid"), "12345\n");
        Files.writeString(dir.resolve("wl-9-up.rc"), ""); // created by "echo $? > wl-9-up.rc", not written yet

        assertThat(DetachedJob.parseStatus(sh(DetachedJob.status("wl-9-up", 4000))).state()).isEqualTo(JobStatus.State.RUNNING);
    }

    @Test
    void anUnknownJobIsNotFoundAtOnceAndAFinishedOneAnswersWithoutWaiting() throws Exception {
        assertThat(DetachedJob.parseStatus(sh(DetachedJob.status("wl-10-up", 4000, Duration.ofSeconds(5)))).state())
                .isEqualTo(JobStatus.State.NOT_FOUND);
        Files.writeString(dir.resolve("wl-11-up.pid"), "12345\n");
        Files.writeString(dir.resolve("wl-11-up.rc"), "100\n");
        Files.writeString(dir.resolve("wl-11-up.log"), "E: Unable to locate package nvidia-driver-570\n");

        JobStatus failed = DetachedJob.parseStatus(sh(DetachedJob.status("wl-11-up", 4000, Duration.ofSeconds(5))));

        assertThat(failed.exitStatus()).isEqualTo(100);
        assertThat(failed.output()).contains("Unable to locate package");
    }

    @Test
    void theSimulatedHostWaitsAsOftenAsTheCommandLooks() {
        assertThat(SimHost.waiting(DetachedJob.status("wl-7-up", 4000, Duration.ofSeconds(2))).orElseThrow().looks()).isEqualTo(40);
        assertThat(SimHost.waiting(DetachedJob.status("wl-7-up", 4000, Duration.ofMinutes(5))).orElseThrow().looks()).isEqualTo(200);
        assertThat(SimHost.waiting(DetachedJob.status("wl-7-up", 4000))).isEmpty();
    }
}
