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

/** The packaged service in the production profile (no demo, no simulator): Swagger UI is off, the OpenAPI document served. */
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
}
