package io.waveline.ansible;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;

/**
 * A real OpenSSH server on 127.0.0.1 for tests, with its own host key, one authorized client key and a
 * known_hosts file for it. Needs {@code /usr/sbin/sshd} (Debian's openssh-server, installed by {@code .ci/run}) and
 * root (sshd changes to the logged-in user).
 */
final class LoopbackSshd implements AutoCloseable {

    final Path dir;
    final int port;
    final Path clientKey;
    final Path knownHosts;
    private final Process process;

    static boolean available() {
        return Files.isExecutable(Path.of("/usr/sbin/sshd")) && Files.isExecutable(Path.of("/usr/bin/ssh-keygen"))
                && "root".equals(System.getProperty("user.name"));
    }

    LoopbackSshd(Path dir) throws IOException, InterruptedException {
        this(dir, null);
    }

    /** @param forceCommand when given, every session runs it (sshd's ForceCommand) instead of the asked command */
    LoopbackSshd(Path dir, String forceCommand) throws IOException, InterruptedException {
        this.dir = dir;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path hostKey = dir.resolve("host_ed25519");
        clientKey = dir.resolve("client_ed25519");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString());
        Files.copy(dir.resolve("client_ed25519.pub"), dir.resolve("authorized_keys"));
        knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + port + " " + Files.readString(dir.resolve("host_ed25519.pub")));
        Path config = dir.resolve("sshd_config");
        Files.writeString(config, String.join("\n", "Port " + port, "ListenAddress 127.0.0.1", "HostKey " + hostKey,
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"), "PermitRootLogin prohibit-password",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "UsePAM no", "StrictModes no",
                "PidFile " + dir.resolve("sshd.pid"), "Subsystem sftp internal-sftp",
                // bash as the login shell reads ~/.bashrc for every command over SSH unless it is a nested shell
                "SetEnv SHLVL=1",
                forceCommand == null ? "" : "ForceCommand " + forceCommand, ""));
        Files.createDirectories(Path.of("/run/sshd"));
        process = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", config.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    private void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
    }

    @Override
    public void close() {
        process.destroy();
    }
}
