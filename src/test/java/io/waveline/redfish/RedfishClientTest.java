package io.waveline.redfish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;


import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.waveline.sim.BmcCertificates;
import io.waveline.sim.SimBmc;

/**
 * The Redfish client against a simulated BMC over real HTTPS: its certificate is signed by a test CA made with the
 * JDK's keytool; the client trusts that CA only. A BMC whose certificate another CA signed is refused.
 */
class RedfishClientTest {

    static BmcCertificates lab;
    static BmcCertificates other;

    /** A mutable clock, so update tasks finish when the test says. */
    static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-11-26T01:00:00Z");

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @BeforeAll
    static void certificates(@TempDir Path temp) throws Exception {
        lab = BmcCertificates.make(temp, "lab BMC CA");
        other = BmcCertificates.make(temp, "other BMC CA");
    }

    RedfishClient client(SimBmc bmc, BmcCertificates trusted) throws Exception {
        return new RedfishClient(URI.create("https://127.0.0.1:" + bmc.port()), "waveline", "s3cret",
                RedfishClient.trusting(trusted.caPem()), Duration.ofSeconds(5));
    }

    @Test
    void firmwareIsReadUpdatedThroughATaskAndActiveAfterTheReset() throws Exception {
        TestClock clock = new TestClock();
        try (SimBmc bmc = new SimBmc(lab.serverTls(), clock, Duration.ofMinutes(4), Set.of(), "waveline", "s3cret")) {
            RedfishClient redfish = client(bmc, lab);
            assertThat(redfish.firmwareInventory()).extracting(RedfishClient.Firmware::id, RedfishClient.Firmware::version)
                    .contains(org.assertj.core.groups.Tuple.tuple("BMC", "1.10.0"), org.assertj.core.groups.Tuple.tuple("NIC_FW", "28.39.1002"));
            String task = redfish.simpleUpdate("https://images.example/bmc-1.12.0.bin", "HTTPS", List.of("BMC"));
            assertThat(redfish.task(task).state()).isEqualTo("Running");
            assertThat(client(bmc, lab).taskFor("https://images.example/bmc-1.12.0.bin"))
                    .as("a restarted Waveline finds the running task by its image").contains(task);
            assertThat(redfish.taskFor("https://images.example/bmc-1.13.0.bin")).isEmpty();
            clock.now = clock.now.plus(Duration.ofMinutes(4));
            RedfishClient.Task done = redfish.task(task);
            assertThat(done.succeeded()).isTrue();
            assertThat(done.messages()).containsExactly("The BMC restarts to activate the new firmware");
            assertThat(redfish.firmwareInventory()).as("the BMC activates its own firmware").filteredOn(f -> f.id().equals("BMC"))
                    .extracting(RedfishClient.Firmware::version).containsExactly("1.12.0");
            String bios = redfish.simpleUpdate("https://images.example/bios-2.5.0.bin", "HTTPS", List.of("BIOS"));
            clock.now = clock.now.plus(Duration.ofMinutes(4));
            assertThat(redfish.task(bios).messages()).containsExactly("Reset the system to activate the new firmware");
            assertThat(bmc.version("BIOS")).as("not active before the reset").isEqualTo("2.4.1");
            redfish.reset("1", "GracefulRestart");
            assertThat(bmc.version("BIOS")).isEqualTo("2.5.0");
            assertThat(redfish.taskFor("https://images.example/bmc-1.12.0.bin")).as("a finished task is never taken again").isEmpty();
        }
    }

    @Test
    void aPushedImageIsActivatedOnlyByThePowerCycleItNeeds(@TempDir Path images) throws Exception {
        TestClock clock = new TestClock();
        try (SimBmc bmc = new SimBmc(lab.serverTls(), clock, Duration.ofMinutes(1), Set.of(), "waveline", "s3cret")) {
            RedfishClient redfish = client(bmc, lab);
            Path image = java.nio.file.Files.write(images.resolve("nic-firmware-28.42.1000.bin"), new byte[] {1, 2, 3});
            String task = redfish.multipartPush(image, List.of("NIC_FW"));
            assertThat(bmc.pushed()).containsExactly("nic-firmware-28.42.1000.bin");
            clock.now = clock.now.plus(Duration.ofMinutes(1));
            assertThat(redfish.task(task).succeeded()).isTrue();
            redfish.reset("1", "ForceRestart");
            assertThat(bmc.version("NIC_FW")).as("a warm restart leaves NIC firmware pending").isEqualTo("28.39.1002");
            redfish.reset("1", "PowerCycle");
            assertThat(bmc.version("NIC_FW")).isEqualTo("28.42.1000");
            assertThat(bmc.resetTypes()).containsExactly("ForceRestart", "PowerCycle");
            assertThat(redfish.resetTypes("1")).containsExactly("On", "ForceOff", "GracefulShutdown", "GracefulRestart", "ForceRestart",
                    "PowerCycle");
            assertThatThrownBy(() -> redfish.reset("1", "Reboot")).hasMessageStartingWith("Reset Reboot answered 400");
        }
    }

    @Test
    void aFailedTaskSaysWhyAndChangesNothing() throws Exception {
        TestClock clock = new TestClock();
        try (SimBmc bmc = new SimBmc(lab.serverTls(), clock, Duration.ofMinutes(1), Set.of(SimBmc.Fault.TASK_FAILS), "waveline", "s3cret")) {
            RedfishClient redfish = client(bmc, lab);
            String task = redfish.simpleUpdate("https://images.example/bios-2.5.0.fwpkg", "HTTPS", List.of("BIOS"));
            clock.now = clock.now.plus(Duration.ofMinutes(2));
            RedfishClient.Task failed = redfish.task(task);
            assertThat(failed.done()).isTrue();
            assertThat(failed.succeeded()).isFalse();
            assertThat(failed.state()).isEqualTo("Exception");
            assertThat(failed.messages()).containsExactly("The image failed verification: signature mismatch");
            redfish.reset("1", "GracefulRestart");
            assertThat(bmc.version("BIOS")).isEqualTo("2.4.1");
        }
    }

    @Test
    void aBmcWithACertificateFromAnUnknownCaIsRefused() throws Exception {
        try (SimBmc bmc = new SimBmc(other.serverTls(), new TestClock(), Duration.ofMinutes(1), Set.of(), "waveline", "s3cret")) {
            assertThatThrownBy(() -> client(bmc, lab).firmwareInventory()).isInstanceOf(RedfishClient.RedfishException.class)
                    .hasMessageContaining("cannot reach the BMC").hasMessageContaining("SSLHandshakeException");
            RedfishClient wrongPassword = new RedfishClient(URI.create("https://127.0.0.1:" + bmc.port()), "waveline", "guess",
                    RedfishClient.trusting(other.caPem()), Duration.ofSeconds(5));
            assertThatThrownBy(wrongPassword::firmwareInventory).hasMessageContaining("answered 401");
        }
    }
}
