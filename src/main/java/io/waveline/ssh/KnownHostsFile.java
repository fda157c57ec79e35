package io.waveline.ssh;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

import net.schmizz.sshj.transport.verification.OpenSSHKnownHosts;

/**
 * The known_hosts file every SSH connection verifies its host key against, read once and read again only when the
 * file changed (its modification time, size or identity: an edit in place or a replacement by rename). Reading it per
 * connection cost about 100 ms of CPU at 10,000 hosts, for every node; asking whether it changed costs one stat.
 * The verifier it answers is only read by sshj (it never writes the file), so one serves every connection at once.
 * A missing file is no host: every key is refused, as before, until the file exists.
 */
final class KnownHostsFile {

    private record Read(Object version, OpenSSHKnownHosts hosts) {
    }

    private final Path path;
    private volatile Read read;

    KnownHostsFile(Path path) {
        this.path = path;
    }

    /** The hosts as the file has them now. */
    OpenSSHKnownHosts hosts() throws IOException {
        Object version = version();
        Read now = read;
        if (now != null && now.version().equals(version)) {
            return now.hosts();
        }
        synchronized (this) {
            now = read;
            if (now == null || !now.version().equals(version)) {
                now = new Read(version, new OpenSSHKnownHosts(path.toFile()));
                read = now;
            }
            return now.hosts();
        }
    }

    private Object version() throws IOException {
        try {
            BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            Object identity = attributes.fileKey();
            return java.util.List.of(attributes.lastModifiedTime(), attributes.size(), identity == null ? "" : identity);
        } catch (NoSuchFileException e) {
            return "missing";
        }
    }
}
