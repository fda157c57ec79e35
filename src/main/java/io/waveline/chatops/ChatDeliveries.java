package io.waveline.chatops;

import java.time.Duration;
import java.time.Instant;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * Which chat requests that change state were taken already, in PostgreSQL so that it holds across restarts and
 * replicas: a key is taken once within {@link #WINDOW} (the signature window of Slack; Mattermost signs nothing, so
 * the same body within it is the same request).
 */
@ApplicationScoped
public class ChatDeliveries {

    static final Duration WINDOW = Duration.ofMinutes(5);

    @Inject
    EntityManager em;

    @Inject
    ChatOpsClock clock;

    /** Whether this is the first time {@code key} arrives within the window (and records it). */
    public boolean firstTime(String key) {
        Instant now = clock.now();
        return QuarkusTransaction.requiringNew().call(() -> em.createNativeQuery("insert into chat_delivery (delivery_key, received_at)"
                + " values (?1, ?2) on conflict (delivery_key) do update set received_at = excluded.received_at"
                + " where chat_delivery.received_at < ?3").setParameter(1, key).setParameter(2, now)
                .setParameter(3, now.minus(WINDOW)).executeUpdate() > 0);
    }
}
