package io.waveline.api;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.enterprise.event.Observes;

/** Tells whoever started Waveline where to look. */
public class StartupBanner {

    private static final Logger LOG = Logger.getLogger(StartupBanner.class);

    @jakarta.inject.Inject
    AccessTokens tokens;

    void onStart(@Observes StartupEvent event, @ConfigProperty(name = "quarkus.http.host", defaultValue = "localhost") String host,
            @ConfigProperty(name = "quarkus.http.port") int port, @ConfigProperty(name = "waveline.plans-dir") String plans) {
        String base = "http://" + ("0.0.0.0".equals(host) ? "localhost" : host) + ":" + port;
        LOG.infof("%n  Waveline is up (profiles: %s)%n  Dashboard:  %s/ (log in with a token)%n  API:        %s/api/v1/nodes  %s/api/v1/plans%n"
                + "  Swagger UI: %s/q/swagger-ui%n  OpenAPI:    %s/q/openapi%n  Health:     %s/q/health%n"
                + "  Plans from: %s%s", String.join(",", ConfigUtils.getProfiles()), base, base, base, base, base, base, plans,
                tokens.demoToken().map(t -> "\n  Admin token (demo): " + t + "\n  Try: curl -H 'Authorization: Bearer "
                        + t + "' " + base + "/api/v1/nodes").orElse(tokens.enabled() ? "" : "\n  Access control is OFF"));
    }
}
