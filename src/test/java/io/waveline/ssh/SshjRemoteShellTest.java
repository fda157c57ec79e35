package io.waveline.ssh;

import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.AnswerLostException;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.HostKeyRejectedException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import net.schmizz.sshj.userauth.keyprovider.KeyPairWrapper;

/** sshj against a real SSH server (Apache MINA SSHD on loopback). */
class SshjRemoteShellTest {

    @TempDir
    Path dir;

    SshServer server;
    KeyPair client;
    KeyPair hostKey;

    static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    @BeforeEach
    void start() throws Exception {
        client = ec();
        hostKey = ec();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, client.getPublic()));
        server.setCommandFactory((channel, command) -> new Command() {
            OutputStream out;
            ExitCallback exit;

            @Override
            public void setInputStream(InputStream in) {
            }

            @Override
            public void setOutputStream(OutputStream out) {
                this.out = out;
            }

            @Override
            public void setErrorStream(OutputStream err) {
            }

            @Override
            public void setExitCallback(ExitCallback callback) {
                exit = callback;
            }

            @Override
            public void start(ChannelSession channel, Environment env) throws java.io.IOException {
                if (command.equals("hang")) {
                    return;
                }
                if (command.equals("reboot-now")) { // the host goes down under the command: no exit status
                    channel.getSession().close(true);
                    return;
                }
                out.write(("ran " + command + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                exit.onExit(command.equals("false") ? 1 : 0);
            }

            @Override
            public void destroy(ChannelSession channel) {
            }
        });
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop(true);
    }

    SshjRemoteShell shell(KeyPair knownKey) throws Exception {
        Path knownHosts = dir.resolve("known_hosts");
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.getPort() + " " + PublicKeyEntry.toString(knownKey.getPublic()) + "\n");
        return new SshjRemoteShell(knownHosts, new KeyPairWrapper(client), Duration.ofSeconds(5), 4);
    }

    NodeAddress node() {
        return new NodeAddress("gpu-01", "127.0.0.1", server.getPort(), "waveline");
    }

    @Test
    void runsCommandsOverOneReusedConnection() throws Exception {
        try (SshjRemoteShell shell = shell(hostKey)) {
            assertThat(shell.run(node(), "nvidia-smi", Duration.ofSeconds(5))).isEqualTo(new CommandResult(0, "ran nvidia-smi\n"));
            assertThat(shell.run(node(), "false", Duration.ofSeconds(5)).exitStatus()).isEqualTo(1);
            assertThat(server.getActiveSessions()).hasSize(1);
        }
    }

    @Test
    void aCommandThatHangsIsCutOffAtItsTimeout() throws Exception {
        try (SshjRemoteShell shell = shell(hostKey)) {
            assertThatThrownBy(() -> shell.run(node(), "hang", Duration.ofSeconds(1)))
                    .isInstanceOf(NodeUnreachableException.class)
                    .hasMessage("gpu-01: \"hang\" did not finish within 1s");
            assertThat(shell.run(node(), "uptime", Duration.ofSeconds(5)).output()).isEqualTo("ran uptime\n");
        }
    }

    @Test
    void aCommandWhoseConnectionDropsBeforeItsExitStatusMayHaveRunAndOneNeverSentMayNot() throws Exception {
        try (SshjRemoteShell shell = shell(hostKey)) {
            assertThatThrownBy(() -> shell.run(node(), "reboot-now", Duration.ofSeconds(5)))
                    .isInstanceOf(AnswerLostException.class)
                    .hasMessageStartingWith("gpu-01: ");
            assertThat(shell.run(node(), "uptime", Duration.ofSeconds(5)).output()).as("a new connection afterwards")
                    .isEqualTo("ran uptime\n");
            server.stop(true);
            assertThatThrownBy(() -> shell.run(node(), "reboot-now", Duration.ofSeconds(5)))
                    .isInstanceOf(NodeUnreachableException.class)
                    .isNotInstanceOf(AnswerLostException.class);
        }
    }

    @Test
    void aHostKeyNotInKnownHostsIsRefused() throws Exception {
        try (SshjRemoteShell shell = shell(ec())) {
            assertThatThrownBy(() -> shell.run(node(), "nvidia-smi", Duration.ofSeconds(5)))
                    .isInstanceOf(HostKeyRejectedException.class)
                    .hasMessageContaining("presented a host key that is not in");
        }
    }

    @Test
    void readsSentAtOnceToANodeWithoutAConnectionOpenOneConnection() throws Exception {
        try (SshjRemoteShell shell = shell(hostKey)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(6);
            try {
                java.util.List<java.util.concurrent.Future<CommandResult>> answers = new java.util.ArrayList<>();
                for (int i = 0; i < 6; i++) {
                    String command = "read-" + i;
                    answers.add(pool.submit(() -> shell.run(node(), command, Duration.ofSeconds(5))));
                }
                for (int i = 0; i < 6; i++) {
                    assertThat(answers.get(i).get().output()).isEqualTo("ran read-" + i + "\n");
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(server.getActiveSessions()).hasSize(1);
        }
    }

    @Test
    void readsWaitingForAConnectionThatFailsFailWithItInsteadOfEachTryingAgain() throws Exception {
        // a host that accepts TCP connections and never answers (its sshd hung): each attempt costs the whole timeout
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
            java.util.List<java.net.Socket> held = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                        accepted.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            acceptor.start();
            Path knownHosts = dir.resolve("known_hosts");
            Files.writeString(knownHosts, "");
            NodeAddress node = new NodeAddress("gpu-02", "127.0.0.1", silent.getLocalPort(), "waveline");
            try (SshjRemoteShell shell = new SshjRemoteShell(knownHosts, new KeyPairWrapper(client), Duration.ofSeconds(1), 4)) {
                java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
                try {
                    java.util.List<java.util.concurrent.Future<CommandResult>> answers = new java.util.ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        answers.add(pool.submit(() -> shell.run(node, "nvidia-smi", Duration.ofSeconds(5))));
                    }
                    for (java.util.concurrent.Future<CommandResult> answer : answers) {
                        assertThatThrownBy(answer::get).hasCauseInstanceOf(NodeUnreachableException.class);
                    }
                } finally {
                    pool.shutdownNow();
                }
            }
            assertThat(accepted.get()).as("connection attempts").isEqualTo(1);
            for (java.net.Socket socket : held) {
                socket.close();
            }
        }
    }

    /** A shell whose known hosts trust the server under both its names, so that it stands for two nodes. */
    SshjRemoteShell twoNodeShell(int maxConnections) throws Exception {
        Path knownHosts = dir.resolve("known_hosts");
        String key = PublicKeyEntry.toString(hostKey.getPublic());
        Files.writeString(knownHosts, "[127.0.0.1]:" + server.getPort() + " " + key + "\n[localhost]:" + server.getPort() + " "
                + key + "\n");
        return new SshjRemoteShell(knownHosts, new KeyPairWrapper(client), Duration.ofSeconds(5), maxConnections);
    }

    NodeAddress otherNode() {
        return new NodeAddress("gpu-02", "localhost", server.getPort(), "waveline");
    }

    @Test
    void atTheCapTheIdleConnectionUnusedLongestMakesRoomSoAFleetLargerThanTheCapIsReached() throws Exception {
        try (SshjRemoteShell shell = twoNodeShell(1)) {
            assertThat(shell.run(node(), "nvidia-smi", Duration.ofSeconds(5)).output()).isEqualTo("ran nvidia-smi\n");
            assertThat(shell.run(otherNode(), "nvidia-smi", Duration.ofSeconds(5)).output()).isEqualTo("ran nvidia-smi\n");
            assertThat(shell.connected(node())).as("gpu-01's idle connection closed for gpu-02's").isFalse();
            assertThat(shell.run(node(), "uptime", Duration.ofSeconds(5)).output()).isEqualTo("ran uptime\n");
            org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(server.getActiveSessions()).hasSize(1));
        }
    }

    @Test
    void atTheCapWithEveryConnectionRunningACommandANewNodeWaits() throws Exception {
        try (SshjRemoteShell shell = twoNodeShell(1)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor();
            try {
                java.util.concurrent.Future<CommandResult> hanging = pool.submit(() -> shell.run(node(), "hang", Duration.ofSeconds(3)));
                org.awaitility.Awaitility.await().until(() -> server.getActiveSessions().size() == 1 && shell.connected(node()));
                assertThatThrownBy(() -> shell.run(otherNode(), "nvidia-smi", Duration.ofSeconds(5)))
                        .isInstanceOf(NodeUnreachableException.class)
                        .hasMessageContaining("too many SSH connections busy at once (waveline.ssh.max-connections 1");
                assertThatThrownBy(hanging::get).hasCauseInstanceOf(NodeUnreachableException.class);
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
