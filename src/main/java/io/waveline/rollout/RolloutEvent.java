package io.waveline.rollout;

import java.time.Instant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/**
 * An append-only record of a command or a transition: who, what, when, why. Followers read it with
 * {@link #committedAfter}, which never passes over an event that commits later (see V11).
 */
@Entity
@Table(name = "rollout_event")
public class RolloutEvent extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;
    @Column(name = "rollout_id")
    public long rolloutId;
    @Column(name = "node_name")
    public String nodeName;
    public Instant at;
    public String actor;
    public String kind;
    public String message;
    /** The replica that wrote it (its database session's application_name, set by the database). */
    @Column(insertable = false, updatable = false)
    public String replica;

    public static RolloutEvent record(long rolloutId, String nodeName, Instant at, String actor, String kind,
            String message) {
        RolloutEvent event = of(rolloutId, nodeName, at, actor, kind, message);
        event.persist();
        return event;
    }

    /** An event not yet stored (for a batch insert). */
    static RolloutEvent of(long rolloutId, String nodeName, Instant at, String actor, String kind, String message) {
        RolloutEvent event = new RolloutEvent();
        event.rolloutId = rolloutId;
        event.nodeName = nodeName;
        event.at = at;
        event.actor = actor;
        event.kind = kind;
        event.message = message.length() > 4000 ? message.substring(0, 4000) : message;
        return event;
    }

    /**
     * The events after {@code afterId} (0: from the start) of one rollout ({@code rolloutId} null: of all), in the order
     * a follower must take them: only events whose transaction is over, ordered by (transaction, id). An event that
     * commits later always sorts after every event returned now, so following with the last id seen misses nothing.
     */
    @SuppressWarnings("unchecked")
    public static java.util.List<RolloutEvent> committedAfter(Long rolloutId, long afterId, int limit) {
        jakarta.persistence.EntityManager em = getEntityManager();
        java.util.List<?> tx = afterId <= 0 ? java.util.List.of()
                : em.createNativeQuery("select cast(tx as text) from rollout_event where id = ?1").setParameter(1, afterId).getResultList();
        String afterTx = tx.isEmpty() ? "0" : tx.get(0).toString();
        jakarta.persistence.Query query = em.createNativeQuery("select e.* from rollout_event e where "
                + (rolloutId == null ? "" : "e.rollout_id = ?4 and ")
                + "e.tx < pg_snapshot_xmin(pg_current_snapshot()) and (e.tx, e.id) > (cast(?1 as xid8), ?2)"
                + " order by e.tx, e.id limit ?3", RolloutEvent.class).setParameter(1, afterTx).setParameter(2, afterId)
                .setParameter(3, limit);
        if (rolloutId != null) {
            query.setParameter(4, rolloutId);
        }
        return query.getResultList();
    }
}
