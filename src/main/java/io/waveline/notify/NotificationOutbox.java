package io.waveline.notify;

import java.time.Duration;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * The notifications each sink still has to take, in PostgreSQL ({@code notification_outbox}): written in the same
 * transaction that moves the notifier's cursor, deleted only once the sink answered (or the tries are used up). A
 * send is claimed for a while before it is tried, so two replicas do not send the same row at once, and a replica
 * that dies mid-send leaves it to the others once the claim runs out. So a notification is sent at least once;
 * receivers drop repeats by the {@code X-Waveline-Event-Id} header.
 */
@ApplicationScoped
public class NotificationOutbox {

    @Inject
    EntityManager em;

    @Inject
    ObjectMapper json;

    /** A notification due for a sink, and how often it was tried already. */
    public record Due(Notification notification, int attempts) {
    }

    /** Adds a notification for every sink; part of the caller's transaction. */
    void add(Notification notification, List<String> sinks) {
        String body;
        try {
            body = json.writeValueAsString(notification);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot store notification of event " + notification.eventId(), e);
        }
        for (String sink : sinks) {
            em.createNativeQuery("insert into notification_outbox (sink, event_id, notification) values (?1, ?2, cast(?3 as jsonb))"
                    + " on conflict do nothing").setParameter(1, sink).setParameter(2, notification.eventId()).setParameter(3, body)
                    .executeUpdate();
        }
    }

    /** Claims, for {@code claimFor}, up to {@code limit} of the sink's due notifications, oldest event first. */
    @Transactional
    public List<Due> claim(String sink, int limit, Duration claimFor) {
        List<?> rows = em.createNativeQuery("update notification_outbox set claimed_until = now() + ?3 * interval '1 millisecond'"
                + " where (sink, event_id) in (select sink, event_id from notification_outbox where sink = ?1 and next_attempt_at <= now()"
                + " and (claimed_until is null or claimed_until < now()) order by event_id limit ?2 for update skip locked)"
                + " returning cast(notification as text), attempts").setParameter(1, sink).setParameter(2, limit)
                .setParameter(3, claimFor.toMillis()).getResultList();
        return rows.stream().map(row -> {
            Object[] columns = (Object[]) row;
            try {
                return new Due(json.readValue((String) columns[0], Notification.class), ((Number) columns[1]).intValue());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a stored notification is unreadable: " + e.getOriginalMessage(), e);
            }
        }).sorted(java.util.Comparator.comparingLong(d -> d.notification().eventId())).toList();
    }

    /** The sink took it, or its tries are used up: it leaves the outbox. */
    @Transactional
    public void done(String sink, long eventId) {
        em.createNativeQuery("delete from notification_outbox where sink = ?1 and event_id = ?2").setParameter(1, sink)
                .setParameter(2, eventId).executeUpdate();
    }

    /** Another try after {@code delay}. */
    @Transactional
    public void retryLater(String sink, long eventId, int attempts, Duration delay) {
        em.createNativeQuery("update notification_outbox set attempts = ?3, claimed_until = null,"
                + " next_attempt_at = now() + ?4 * interval '1 millisecond' where sink = ?1 and event_id = ?2").setParameter(1, sink)
                .setParameter(2, eventId).setParameter(3, attempts).setParameter(4, delay.toMillis()).executeUpdate();
    }

    /** How many notifications wait for the sink. */
    @Transactional
    public long pending(String sink) {
        return ((Number) em.createNativeQuery("select count(*) from notification_outbox where sink = ?1").setParameter(1, sink)
                .getSingleResult()).longValue();
    }

    /** Removes what waits for sinks no longer configured; answers how many. */
    @Transactional
    public int forgetOtherSinks(List<String> sinks) {
        if (sinks.isEmpty()) {
            return em.createNativeQuery("delete from notification_outbox").executeUpdate();
        }
        return em.createNativeQuery("delete from notification_outbox where sink not in (?1)").setParameter(1, sinks).executeUpdate();
    }
}
