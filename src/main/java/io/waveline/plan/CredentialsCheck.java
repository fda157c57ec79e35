package io.waveline.plan;

import java.util.Optional;

/**
 * Whether a plan's {@code credentialsRef} names credentials Waveline has (the Redfish accounts in its configuration):
 * a plan naming unknown ones is invalid, before any node is touched.
 */
public interface CredentialsCheck {

    /** Any reference is taken (for reading plans without a configuration at hand). */
    CredentialsCheck ANY = ref -> Optional.empty();

    /** Why {@code ref} cannot be used, with what to set; empty when it can. */
    Optional<String> problem(String ref);
}
