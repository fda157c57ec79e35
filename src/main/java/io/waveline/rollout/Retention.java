package io.waveline.rollout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.waveline.plan.Durations;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * How long finished rollouts are kept ({@code waveline.retention.keep}; default {@code keep}: forever). A scheduled
 * purge ({@code waveline.retention.purge-interval}) deletes every rollout that finished longer ago than that, with
 * its waves, node runs, check results and events, one rollout per transaction; of several replicas one purges at a
 * time (an advisory lock). Unfinished rollouts are never touched.
 */
@ApplicationScoped
public class Retention {

    private static final Logger LOG = Logger.getLogger(Retention.class);
    private static final long PURGE_LOCK = 0x5741564c5245544eL; // "WAVLRETN"
    private static final int BATCH = 100;

    @ConfigProperty(name = "waveline.retention.keep", defaultValue = "keep")
    String keep;

    @Inject
    EntityManager em;

    @Inject
    java.time.Clock clock;

    private Optional<Duration> kept;
    private volatile Purge last;

    /** What one purge removed, and when it ran. */
    public record Purge(Instant at, int rollouts, int nodeRuns, int checks, int events) {
    }

    @PostConstruct
    void parse() {
        kept = keep.equals("keep") ? Optional.empty() : Optional.of(Durations.parse(keep).filter(d -> !d.isZero())
                .orElseThrow(() -> new IllegalArgumentException("waveline.retention.keep: \"" + keep
                        + "\" is neither keep nor a duration; " + Durations.HINT + " (days: 30d)")));
    }

    /** How long finished rollouts are kept; empty: forever. */
    public Optional<Duration> keep() {
        return kept;
    }

    /** The last purge of this replica, if any ran. */
    public Optional<Purge> last() {
        return Optional.ofNullable(last);
    }

    @Scheduled(every = "${waveline.retention.purge-interval:1h}", delayed = "${waveline.retention.purge-interval:1h}",
            identity = "retention-purge", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        kept.ifPresent(age -> {
            try {
                Purge purge = purgeFinishedBefore(clock.instant().minus(age));
                if (purge.rollouts() > 0) {
                    LOG.infof("Retention (%s): purged %d finished rollout(s), %d node run(s), %d check result(s), %d event(s)",
                            keep, purge.rollouts(), purge.nodeRuns(), purge.checks(), purge.events());
                }
            } catch (RuntimeException e) {
                LOG.warn("The retention purge failed; it runs again at its next interval", e);
            }
        });
    }

    /** Deletes every rollout finished before {@code cutoff}, with all it recorded; answers what went. */
    public Purge purgeFinishedBefore(Instant cutoff) {
        int rollouts = 0;
        int nodeRuns = 0;
        int checks = 0;
        int events = 0;
        while (true) {
            List<Long> ids = QuarkusTransaction.requiringNew().call(() -> em.createQuery("select r.id from Rollout r where"
                    + " r.finishedAt is not null and r.finishedAt < ?1 order by r.id", Long.class).setParameter(1, cutoff)
                    .setMaxResults(BATCH).getResultList());
            if (ids.isEmpty()) {
                break;
            }
            int purgedNow = 0;
            for (long id : ids) {
                int[] counts = QuarkusTransaction.requiringNew().call(() -> purge(id));
                if (counts.length > 0) {
                    purgedNow++;
                    nodeRuns += counts[0];
                    checks += counts[1];
                    events += counts[2];
                }
            }
            rollouts += purgedNow;
            if (purgedNow == 0) {
                break; // another replica holds the purge
            }
        }
        last = new Purge(clock.instant(), rollouts, nodeRuns, checks, events);
        return last;
    }

    /** One rollout's rows, under the purge lock; answers node runs, checks and events deleted (nothing if another replica purges). */
    private int[] purge(long id) {
        Object locked = em.createNativeQuery("select pg_try_advisory_xact_lock(?1)").setParameter(1, PURGE_LOCK).getSingleResult();
        if (!Boolean.TRUE.equals(locked)) {
            return new int[0];
        }
        int checks = em.createNativeQuery("delete from check_result where node_run_id in (select id from node_run where rollout_id = ?1)")
                .setParameter(1, id).executeUpdate();
        int nodeRuns = em.createNativeQuery("delete from node_run where rollout_id = ?1").setParameter(1, id).executeUpdate();
        int events = em.createNativeQuery("delete from rollout_event where rollout_id = ?1").setParameter(1, id).executeUpdate();
        em.createNativeQuery("delete from rollout_wave where rollout_id = ?1").setParameter(1, id).executeUpdate();
        em.createNativeQuery("delete from wave_scan_result where rollout_id = ?1").setParameter(1, id).executeUpdate();
        em.createNativeQuery("delete from engine_lease where rollout_id = ?1").setParameter(1, id).executeUpdate();
        em.createNativeQuery("delete from rollout where id = ?1").setParameter(1, id).executeUpdate();
        return new int[] {nodeRuns, checks, events};
    }
}
