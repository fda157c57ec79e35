package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged service in the production profile (no demo, no simulator): Swagger UI is off, the OpenAPI document
 * served; an engine setting out of range stops the start with the setting's name.
 */
class ProductionDefaultsIT {

    @Test
    void swaggerUiIsOffInProductionUnlessEnabled(@TempDir Path dir) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try (PackagedService service = new PackagedService("prod", dir, "unused", Map.of("quarkus.profile", "prod",
                "waveline.data-dir", dir.toString()))) {
            service.start();
            String base = "http://localhost:" + service.port;
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/q/swagger-ui/")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(404);
            assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/q/openapi")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void anEngineSettingBelowOneRefusesToStartAndNamesIt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("refused.log");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dquarkus.profile=prod",
                "-Dquarkus.http.port=0", "-Dwaveline.data-dir=" + dir, "-Dwaveline.engine.commit-batch=0",
                "-jar", System.getProperty("waveline.it.jar", "target/quarkus-app/quarkus-run.jar"))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertThat(process.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).as("the service gave up starting").isTrue();
        assertThat(process.exitValue()).isNotZero();
        assertThat(java.nio.file.Files.readString(log)).contains("waveline.engine.commit-batch").contains("must be greater than or equal to 1");
    }
}
