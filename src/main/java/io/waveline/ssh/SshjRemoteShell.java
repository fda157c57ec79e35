package io.waveline.ssh;

import io.waveline.rollout.port.RemoteShell;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.AnswerLostException;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.rollout.port.HostKeyRejectedException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import net.schmizz.sshj.DefaultConfig;
import net.schmizz.sshj.SSHClient;
import net.schmizz.sshj.connection.channel.direct.Session;
import net.schmizz.sshj.transport.TransportException;
import net.schmizz.sshj.userauth.keyprovider.KeyProvider;

/**
 * Runs commands over SSH with sshj. Key-based authentication only; host keys are verified against a known_hosts
 * file, strictly: an unknown or changed key refuses the connection ({@link HostKeyRejectedException}), there is
 * no accept-all verifier. One connection per node is kept and reused (each command on its own channel), with a
 * cap on connections open at once: at the cap, the idle connection unused longest is closed to make room (a fleet
 * larger than the cap is upgraded through it), and a command fails only when every open connection is running one.
 * A broken connection is dropped and the next command opens a new one. A command that runs past its timeout is cut
 * off (its channel closed) and reported as unreachable.
 */
public final class SshjRemoteShell implements RemoteShell, AutoCloseable {

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "ssh-command-timeout");
                thread.setDaemon(true);
                return thread;
            });

    private final Path knownHosts;
    private final KnownHostsFile knownHostsFile;
    private final KeyProvider key;
    private final Duration connectTimeout;
    private final int maxConnections;
    private final Semaphore connections;
    private final Map<String, Connection> clients = new ConcurrentHashMap<>();
    /**
     * An open connection, how many commands run on it now, and when one last ended. {@code commands} is -1 once the
     * connection was picked to be closed for room, so that no command starts on it after that.
     */
    private static final class Connection {
        final SSHClient client;
        final java.util.concurrent.atomic.AtomicInteger commands = new java.util.concurrent.atomic.AtomicInteger();
        volatile long lastUsedNanos = System.nanoTime();

        Connection(SSHClient client) {
            this.client = client;
        }

        /** Open, and not picked to be closed for room (a command looking for a connection then opens a new one). */
        boolean usable() {
            return commands.get() >= 0 && client.isConnected() && client.isAuthenticated();
        }

        /** Counts a command in; false when the connection is being closed for room. */
        boolean enter() {
            for (int n = commands.get(); n >= 0; n = commands.get()) {
                if (commands.compareAndSet(n, n + 1)) {
                    return true;
                }
            }
            return false;
        }

        void leave() {
            lastUsedNanos = System.nanoTime();
            commands.decrementAndGet();
        }
    }
    /**
     * sshj's algorithm set, built once and shared by every connection (its factories make new instances per use):
     * building it probes the JCE providers, about 0.7–1.3 s the first time in a JVM, so it is built in the background
     * when this class is first used ({@link #buildConfigAhead()}, at the service's start where SSH is configured) instead of
     * by the first node's first command.
     */
    private static final java.util.concurrent.CompletableFuture<DefaultConfig> CONFIG =
            java.util.concurrent.CompletableFuture.supplyAsync(DefaultConfig::new, r -> {
                Thread thread = new Thread(r, "ssh-config");
                thread.setDaemon(true);
                thread.start();
            });

    /** One lock per node: reads sent at once to a node without a connection open one connection, not one each. */
    private final Map<String, Connecting> connecting = new ConcurrentHashMap<>();

    /** A node's connection attempts, and the last one's failure, so that those waiting for it fail with it at once. */
    private static final class Connecting {
        long failedAtNanos;
        NodeUnreachableException failure;
    }

    /**
     * Sockets with TCP_NODELAY, as OpenSSH's client sets it: a command's short request would otherwise wait for the
     * server's delayed ACK (about 40 ms on Linux), every command, for every node.
     */
    private static final javax.net.SocketFactory NO_DELAY = new javax.net.SocketFactory() {
        private final javax.net.SocketFactory plain = javax.net.SocketFactory.getDefault();

        private java.net.Socket noDelay(java.net.Socket socket) throws IOException {
            socket.setTcpNoDelay(true);
            return socket;
        }

        @Override
        public java.net.Socket createSocket() throws IOException {
            return noDelay(plain.createSocket());
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws IOException {
            return noDelay(plain.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort) throws IOException {
            return noDelay(plain.createSocket(host, port, local, localPort));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws IOException {
            return noDelay(plain.createSocket(host, port));
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port, java.net.InetAddress local, int localPort)
                throws IOException {
            return noDelay(plain.createSocket(host, port, local, localPort));
        }
    };

    public SshjRemoteShell(Path knownHosts, KeyProvider key, Duration connectTimeout, int maxConnections) {
        this.knownHosts = knownHosts;
        this.knownHostsFile = new KnownHostsFile(knownHosts);
        this.key = key;
        this.connectTimeout = connectTimeout;
        this.maxConnections = maxConnections;
        this.connections = new Semaphore(maxConnections);
    }

    @Override
    public CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
        Connection connection = entered(node);
        try {
            return run(node, connection, command, timeout);
        } finally {
            connection.leave();
        }
    }

    private CommandResult run(NodeAddress node, Connection connection, String command, Duration timeout)
            throws NodeUnreachableException {
        SSHClient client = connection.client;
        java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
        boolean sent = false;
        try (Session session = client.startSession()) {
            java.util.concurrent.ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
                timedOut.set(true);
                closeQuietly(session);
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            try {
                Session.Command exec = session.exec(command);
                sent = true;
                String out = read(exec.getInputStream());
                String err = read(exec.getErrorStream());
                exec.join(timeout.toMillis(), TimeUnit.MILLISECONDS);
                Integer status = exec.getExitStatus();
                if (status == null) {
                    throw new IOException("the connection closed before \"" + firstWord(command) + "\" finished");
                }
                return new CommandResult(status, out + err);
            } finally {
                watchdog.cancel(false);
            }
        } catch (IOException | IllegalStateException e) { // sshj: "Not connected" when the connection dropped just now
            if (clients.remove(key(node), connection)) { // not a newer connection another read opened
                close(client);
            }
            String message = node.name() + ": " + (timedOut.get() ? "\"" + firstWord(command) + "\" did not finish within "
                    + timeout.toSeconds() + "s" : e.getMessage());
            // once sent, the command may have run: its caller decides whether that matters (a reboot's answer is often lost)
            throw sent ? new AnswerLostException(message, e) : new NodeUnreachableException(message, e);
        }
    }

    /** Starts building sshj's algorithm set in the background, if it is not built yet. */
    public static void buildConfigAhead() {
        CONFIG.isDone();
    }

    /**
     * Reads the known_hosts file now (at the service's start), so that the first node's connection does not: the first
     * read also loads the key parsers, about a second in a fresh JVM. A file that cannot be read yet is read again by
     * the first connection, which reports what is wrong.
     */
    public void readKnownHostsAhead() {
        try {
            knownHostsFile.hosts();
        } catch (IOException | RuntimeException e) {
            // the first connection reads it again and fails with the reason
        }
    }

    /** Whether a connection to the node is open now. */
    boolean connected(NodeAddress node) {
        Connection open = clients.get(key(node));
        return open != null && open.usable();
    }

    private static String key(NodeAddress node) {
        return node.host() + ":" + node.port();
    }

    /** The node's open connection, or a new one, with this command counted in. */
    private Connection entered(NodeAddress node) throws NodeUnreachableException {
        for (int tries = 0; ; tries++) {
            Connection connection = connection(node);
            if (connection.enter()) {
                return connection;
            }
            if (tries > 3) { // closed for room again and again: the cap is too small for the commands running at once
                throw new NodeUnreachableException("too many SSH connections busy at once; " + node.name() + " waits");
            }
        }
    }

    /** sshj's algorithm set, once it is built. */
    static DefaultConfig config() {
        return CONFIG.join();
    }

    private Connection connection(NodeAddress node) throws NodeUnreachableException {
        String key = key(node);
        Connection existing = clients.get(key);
        if (existing != null && existing.usable()) {
            return existing;
        }
        long asked = System.nanoTime();
        Connecting attempts = connecting.computeIfAbsent(key, k -> new Connecting());
        synchronized (attempts) {
            Connection opened = clients.get(key);
            if (opened != null && opened != existing && opened.usable()) {
                return opened; // another read connected meanwhile
            }
            if (attempts.failure != null && attempts.failedAtNanos - asked > 0) {
                throw attempts.failure; // the attempt this read waited for failed: not tried again at once
            }
            try {
                return connect(node, key);
            } catch (NodeUnreachableException e) {
                attempts.failedAtNanos = System.nanoTime();
                attempts.failure = e;
                throw e;
            }
        }
    }

    private Connection connect(NodeAddress node, String key) throws NodeUnreachableException {
        drop(node);
        if (!connections.tryAcquire() && !(closeIdlest() && connections.tryAcquire())) {
            throw new NodeUnreachableException("too many SSH connections busy at once (waveline.ssh.max-connections "
                    + maxConnections + ", every one running a command); " + node.name() + " waits");
        }
        SSHClient client = new SSHClient(config());
        client.setSocketFactory(NO_DELAY);
        try {
            client.addHostKeyVerifier(knownHostsFile.hosts());
            client.setConnectTimeout((int) connectTimeout.toMillis());
            client.setTimeout((int) connectTimeout.toMillis());
            client.connect(node.host(), node.port());
            client.authPublickey(node.user() == null ? "root" : node.user(), this.key);
            Connection connection = new Connection(client);
            clients.put(key, connection);
            return connection;
        } catch (TransportException e) {
            close(client);
            if (String.valueOf(e.getMessage()).contains("HostKeyVerification") || String.valueOf(e.getMessage()).contains("host key")) {
                throw new HostKeyRejectedException(node.name() + " (" + key + ") presented a host key that is not in "
                        + knownHosts + "; if the host was reinstalled, verify its key and update known_hosts", e);
            }
            throw new NodeUnreachableException(node.name() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            close(client);
            throw new NodeUnreachableException(node.name() + " (" + key + "): " + e.getMessage(), e);
        }
    }

    /**
     * Closes the idle connection whose last command ended longest ago, to make room for a new one; false when every open
     * connection runs a command.
     */
    private boolean closeIdlest() {
        Map.Entry<String, Connection> idlest = null;
        for (Map.Entry<String, Connection> entry : clients.entrySet()) {
            Connection c = entry.getValue();
            if (c.commands.get() == 0 && (idlest == null || c.lastUsedNanos - idlest.getValue().lastUsedNanos < 0)) {
                idlest = entry;
            }
        }
        if (idlest == null || !idlest.getValue().commands.compareAndSet(0, -1)) {
            return false;
        }
        if (clients.remove(idlest.getKey(), idlest.getValue())) {
            close(idlest.getValue().client);
        }
        return true;
    }

    /** Forgets the connection to a node, so the next command connects (and verifies its host key) again. */
    public void drop(NodeAddress node) {
        Connection connection = clients.remove(key(node));
        if (connection != null) {
            close(connection.client);
        }
    }

    private void close(SSHClient client) {
        try {
            client.close();
        } catch (IOException e) {
            // closing a broken connection
        } finally {
            connections.release();
        }
    }

    @Override
    public void close() {
        clients.values().forEach(c -> close(c.client));
        clients.clear();
    }

    private static String read(InputStream stream) throws IOException {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        int n;
        while ((n = stream.read(chunk)) >= 0) {
            if (buffer.size() < CommandResult.MAX_OUTPUT_CHARS) {
                buffer.write(chunk, 0, n);
            }
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static void closeQuietly(Session session) {
        try {
            session.close();
        } catch (IOException e) {
            // the command is abandoned either way
        }
    }

    private static String firstWord(String command) {
        return command.split(" ", 2)[0];
    }
}
