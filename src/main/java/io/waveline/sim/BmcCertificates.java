package io.waveline.sim;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A CA and a certificate for 127.0.0.1 signed by it, made with the JDK's keytool in a folder: the simulated BMCs serve
 * with {@link #serverTls()}, and whoever talks to them trusts {@link #caPem()}.
 */
public record BmcCertificates(SSLContext serverTls, String caPem) {

    private static final String PASSWORD = "changeit";

    /** Makes the pair in {@code dir}; {@code caName} names the CA (two sets in one folder need two names). */
    public static BmcCertificates make(Path dir, String caName) throws IOException, GeneralSecurityException, InterruptedException {
        String prefix = caName.replaceAll("[^A-Za-z0-9]", "-");
        String ca = prefix + "-ca.p12";
        String bmc = prefix + "-bmc.p12";
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + caName,
                "-ext", "bc:c", "-validity", "30", "-keystore", ca, "-storepass", PASSWORD);
        keytool(dir, "-genkeypair", "-alias", "bmc", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-validity", "30", "-keystore", bmc, "-storepass", PASSWORD);
        keytool(dir, "-certreq", "-alias", "bmc", "-keystore", bmc, "-storepass", PASSWORD, "-file", prefix + "-bmc.csr");
        keytool(dir, "-gencert", "-alias", "ca", "-keystore", ca, "-storepass", PASSWORD, "-infile", prefix + "-bmc.csr",
                "-outfile", prefix + "-bmc.crt", "-ext", "san=ip:127.0.0.1", "-validity", "30", "-rfc");
        keytool(dir, "-exportcert", "-alias", "ca", "-keystore", ca, "-storepass", PASSWORD, "-rfc", "-file", prefix + "-ca.pem");
        keytool(dir, "-importcert", "-alias", "ca", "-keystore", bmc, "-storepass", PASSWORD, "-file", prefix + "-ca.pem", "-noprompt");
        keytool(dir, "-importcert", "-alias", "bmc", "-keystore", bmc, "-storepass", PASSWORD, "-file", prefix + "-bmc.crt");
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(dir.resolve(bmc).toFile())) {
            store.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return new BmcCertificates(context, Files.readString(dir.resolve(prefix + "-ca.pem")));
    }

    private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + ": " + out);
        }
    }
}
