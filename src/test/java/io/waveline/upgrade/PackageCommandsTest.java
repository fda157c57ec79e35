package io.waveline.upgrade;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.waveline.sim.SimHost;

/** The boot id wait, run by a real {@code /bin/sh} on a boot id file of its own. */
class PackageCommandsTest {

    static final String OLD = "c7993db8-5b4a-4f0e-9a39-3a5e8c1d2f40";
    static final String NEW = "0d1f2e3c-4b5a-4697-8a8b-9c0d1e2f3a4b";

    @TempDir
    Path dir;

    private String sh(String before, String command) throws Exception {
        Path bootId = dir.resolve("boot_id");
        Files.writeString(bootId, OLD + "\n");
        Process process = new ProcessBuilder("/bin/sh", "-c", before + command.replace("/proc/sys/kernel/random/boot_id", bootId.toString()))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        process.waitFor();
        return output.trim();
    }

    @Test
    void theWaitAnswersTheNewBootIdWhenItChanges() throws Exception {
        String rebootSoon = "(sleep 0.3; echo " + NEW + " > " + dir.resolve("boot_id") + ") & ";

        assertThat(sh(rebootSoon, PackageCommands.bootIdAfter(OLD, Duration.ofSeconds(9)))).isEqualTo(NEW);
    }

    @Test
    void theWaitAnswersTheOldBootIdWhenTheNodeHasNotRebootedWithinIt() throws Exception {
        assertThat(sh("", PackageCommands.bootIdAfter(OLD, Duration.ofMillis(200)))).isEqualTo(OLD);
    }

    @Test
    void withoutAWaitOrAKnownBootIdItIsThePlainQuery() {
        assertThat(PackageCommands.bootIdAfter(OLD, Duration.ZERO)).isEqualTo(PackageCommands.bootId());
        assertThat(PackageCommands.bootIdAfter("$(reboot)", Duration.ofSeconds(2))).isEqualTo(PackageCommands.bootId());
        assertThat(PackageCommands.bootIdAfter(null, Duration.ofSeconds(2))).isEqualTo(PackageCommands.bootId());
    }

    @Test
    void theSimulatedHostWaitsForTheSameCommand() {
        SimHost.Waiting waiting = SimHost.waiting(PackageCommands.bootIdAfter(OLD, Duration.ofSeconds(1))).orElseThrow();

        assertThat(waiting.looks()).isEqualTo(20);
        assertThat(waiting.unchanged().test(OLD + "\n")).isTrue();
        assertThat(waiting.unchanged().test(NEW + "\n")).isFalse();
    }
}
