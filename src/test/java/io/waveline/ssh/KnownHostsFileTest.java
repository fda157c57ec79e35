package io.waveline.ssh;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.Base64;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.schmizz.sshj.common.Buffer;

/**
 * The known_hosts file is read once for every connection, and read again as soon as it changes: a host key an
 * operator adds is honoured at the next connection, and one that was never added is refused.
 */
class KnownHostsFileTest {

    @TempDir
    Path dir;

    @Test
    void readOnceAndAgainWhenTheFileChanges() throws Exception {
        PublicKey first = key();
        PublicKey second = key();
        Path file = dir.resolve("known_hosts");
        KnownHostsFile known = new KnownHostsFile(file);

        assertThat(known.hosts().verify("127.0.0.1", 2201, first)).as("no file: no host is known").isFalse();

        Files.writeString(file, line(2201, first));
        var hosts = known.hosts();
        assertThat(hosts.verify("127.0.0.1", 2201, first)).as("the file, once it exists").isTrue();
        assertThat(hosts.verify("127.0.0.1", 2202, second)).as("a host not in it").isFalse();
        assertThat(hosts.verify("127.0.0.1", 2201, second)).as("another key for a known host").isFalse();
        assertThat(known.hosts()).as("not read again while it is unchanged").isSameAs(hosts);

        Files.writeString(file, line(2202, second), StandardOpenOption.APPEND);
        assertThat(known.hosts().verify("127.0.0.1", 2202, second)).as("a host added to the file").isTrue();

        Path replacement = dir.resolve("known_hosts.new");
        Files.writeString(replacement, line(2202, second));
        Files.move(replacement, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        assertThat(known.hosts().verify("127.0.0.1", 2201, first)).as("a host taken out by replacing the file").isFalse();
        assertThat(known.hosts().verify("127.0.0.1", 2202, second)).isTrue();
    }

    private static PublicKey key() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair().getPublic();
    }

    private static String line(int port, PublicKey key) {
        byte[] wire = new Buffer.PlainBuffer().putPublicKey(key).getCompactData();
        return "[127.0.0.1]:" + port + " ssh-rsa " + new String(Base64.getEncoder().encode(wire), StandardCharsets.US_ASCII) + "\n";
    }
}
