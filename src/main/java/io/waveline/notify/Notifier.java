package io.waveline.notify;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.waveline.rollout.Rollout;
import io.waveline.rollout.RolloutEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

/**
 * Turns rollout events into notifications. It reads the event log after its cursor ({@code notification_cursor}),
 * gap-free ({@link RolloutEvent#committedAfter}), and in one transaction advances the cursor with a compare-and-set
 * (so of several replicas exactly one takes each event) and writes the notifications into the
 * {@link NotificationOutbox}, from which {@link NotificationDelivery} sends them: a crash at any moment loses none.
 * It reads on its own schedule, so the engine never waits for it. The first time notifications are configured the
 * cursor is placed, at start-up, after the newest event: no backlog is sent.
 */
@ApplicationScoped
public class Notifier {

    private static final Logger LOG = Logger.getLogger(Notifier.class);
    private static final int BATCH = 200;

    @Inject
    NotificationDelivery delivery;

    @Inject
    EntityManager em;

    /** Places the read position before anything happens, so every event from this start on is notified. */
    void onStart(@Observes StartupEvent event) {
        if (delivery.configured()) {
            try {
                QuarkusTransaction.requiringNew().run(this::placeCursor);
            } catch (RuntimeException e) {
                LOG.warn("Cannot place the notification cursor; the first poll will", e);
            }
        }
    }

    private boolean placeCursor() {
        if (!em.createNativeQuery("select last_event_id from notification_cursor where id = 1").getResultList().isEmpty()) {
            return false;
        }
        Number newest = (Number) em.createNativeQuery("select coalesce(max(id), 0) from rollout_event").getSingleResult();
        em.createNativeQuery("insert into notification_cursor (id, last_event_id) values (1, ?1) on conflict (id) do nothing")
                .setParameter(1, newest.longValue()).executeUpdate();
        return true;
    }

    @Scheduled(every = "${waveline.notify.poll-interval:1s}", identity = "notifier",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void poll() {
        if (!delivery.configured()) {
            return;
        }
        try {
            if (claim() > 0) {
                delivery.deliver();
            }
        } catch (RuntimeException e) {
            LOG.warn("Reading events for notifications failed; trying again at the next poll", e);
        }
    }

    @Inject
    NotificationOutbox outbox;

    /** Moves the next batch of events into the outbox as notifications; answers how many. */
    @Transactional
    int claim() {
        if (placeCursor()) {
            return 0;
        }
        List<?> row = em.createNativeQuery("select last_event_id from notification_cursor where id = 1").getResultList();
        long cursor = ((Number) row.get(0)).longValue();
        List<RolloutEvent> events = RolloutEvent.committedAfter(null, cursor, BATCH);
        if (events.isEmpty()) {
            return 0;
        }
        long last = events.get(events.size() - 1).id;
        int claimed = em.createNativeQuery("update notification_cursor set last_event_id = ?1 where id = 1 and last_event_id = ?2")
                .setParameter(1, last).setParameter(2, cursor).executeUpdate();
        if (claimed == 0) {
            return 0;
        }
        Map<Long, String> plans = new HashMap<>();
        List<Notification> notifications = events.stream().map(e -> Notification.of(e.id, e.kind, e.rolloutId, plans.computeIfAbsent(e.rolloutId,
                id -> {
                    Rollout r = Rollout.findById(id);
                    return r == null ? "?" : r.planName;
                }), e.nodeName, e.message, e.actor, e.at)).flatMap(java.util.Optional::stream).toList();
        notifications.forEach(n -> outbox.add(n, delivery.sinkNames()));
        return notifications.size();
    }
}
