package io.waveline.api;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Gives the application under test a static inventory file of its own (beside the simulated fleet), in a place
 * tests may rewrite to see how a broken file is handled.
 */
public class StaticInventoryResource implements QuarkusTestResourceLifecycleManager {

    public static final Path FILE = Path.of("target", "test-inventory", "static-fleet.yaml");

    public static final String CONTENT = """
            nodes:
              - name: gpu-b200-01
                address: 10.0.9.1
                labels: {pool: b200, rack: r09}
                gpu: {vendor: nvidia, model: B200, count: 8, nvswitch: true}
                versions: {nvidia-driver: 570.133.20, nvidia-fabricmanager: 570.133.20}
              - name: gpu-h100-01
                address: 10.0.1.1
                labels: {owner: team-a}
            """;

    @Override
    public Map<String, String> start() {
        write(CONTENT);
        // The demo's account for the shipped plan a100-bios-redfish (credentialsRef lab-bmc), as in %demo.
        return Map.of("waveline.inventory.static-file", FILE.toString(), "waveline.redfish.credentials.lab-bmc.password",
                "sim-bmc-password");
    }

    public static void write(String content) {
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
    }
}
