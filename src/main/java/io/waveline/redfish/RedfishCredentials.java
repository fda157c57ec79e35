package io.waveline.redfish;

import java.util.Locale;
import java.util.Optional;

import org.eclipse.microprofile.config.ConfigProvider;

import io.waveline.plan.Components;
import io.waveline.plan.CredentialsCheck;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The BMC accounts a plan may name with {@code credentialsRef}: {@code waveline.redfish.credentials.<ref>.password}
 * (and optionally {@code .user}) set in the configuration, e.g. from a Secret.
 */
@ApplicationScoped
public class RedfishCredentials implements CredentialsCheck {

    @Override
    public Optional<String> problem(String ref) {
        // A name that fits a configuration key and an environment variable, as the plan validator holds it.
        if (!Components.NAME.matcher(ref).matches()) {
            return Optional.of("credentialsRef \"" + ref + "\" must be lower-case letters, digits and -");
        }
        if (ConfigProvider.getConfig().getOptionalValue(passwordKey(ref), String.class).isEmpty()) {
            return Optional.of("credentialsRef " + ref + " names no credentials: set " + passwordKey(ref) + " (environment "
                    + passwordKey(ref).toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_") + ", e.g. from a Secret)"
                    + " and optionally waveline.redfish.credentials." + ref + ".user");
        }
        return Optional.empty();
    }

    static String passwordKey(String ref) {
        return "waveline.redfish.credentials." + ref + ".password";
    }
}
