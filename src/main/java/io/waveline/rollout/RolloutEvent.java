package io.waveline.rollout;

import java.time.Instant;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

/** An append-only record of a command or a transition: who, what, when, why. */
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

    public static RolloutEvent record(long rolloutId, String nodeName, Instant at, String actor, String kind,
            String message) {
        RolloutEvent event = new RolloutEvent();
        event.rolloutId = rolloutId;
        event.nodeName = nodeName;
        event.at = at;
        event.actor = actor;
        event.kind = kind;
        event.message = message.length() > 4000 ? message.substring(0, 4000) : message;
        event.persist();
        return event;
    }
}
