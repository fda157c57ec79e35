package io.waveline.chatops;

import java.time.Clock;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** The time request signatures are checked against; a bean of its own so a test can check Slack's test vector. */
@ApplicationScoped
public class ChatOpsClock {

    @Inject
    Clock clock;

    public Instant now() {
        return clock.instant();
    }
}
