package io.waveline.rollout;

import java.util.List;
import java.util.Map;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.persistence.EntityManager;

/**
 * Rollouts wider than a fleet the tests can simulate: copies of a rollout's node run, written straight into the
 * database ({@code wide-00001} on), for what only shows past tens of thousands of nodes (the PostgreSQL driver sends at
 * most 32,767 bind parameters a query).
 */
public final class WideRollouts {

    private WideRollouts() {
    }

    /** Adds {@code count} copies of the rollout's node run(s), named {@code wide-00001} on, in {@code state}, not active. */
    public static void addCopies(long rolloutId, int count, NodeState state) {
        QuarkusTransaction.requiringNew().run(() -> {
            EntityManager em = NodeRun.getEntityManager();
            @SuppressWarnings("unchecked")
            List<String> columns = em.createNativeQuery("select column_name from information_schema.columns where table_name = 'node_run'"
                    + " and column_name <> 'id' order by ordinal_position").getResultList();
            Map<String, String> changed = Map.of("node_name", "'wide-' || lpad(g::text, 5, '0')", "position", "r.position + g",
                    "state", "'" + state.name() + "'", "active", "false");
            em.createNativeQuery("insert into node_run (" + String.join(", ", columns) + ") select " + String.join(", ", columns.stream()
                    .map(c -> changed.getOrDefault(c, "r." + c)).toList()) + " from node_run r, generate_series(1, ?2) g where r.rollout_id = ?1")
                    .setParameter(1, rolloutId).setParameter(2, count).executeUpdate();
        });
    }

    /** Removes the copies, their checks and their events. */
    public static void removeCopies(long rolloutId) {
        QuarkusTransaction.requiringNew().run(() -> {
            EntityManager em = NodeRun.getEntityManager();
            em.createNativeQuery("delete from check_result where node_run_id in (select id from node_run where rollout_id = ?1"
                    + " and node_name like 'wide-%')").setParameter(1, rolloutId).executeUpdate();
            em.createNativeQuery("delete from rollout_event where rollout_id = ?1 and node_name like 'wide-%'").setParameter(1, rolloutId)
                    .executeUpdate();
            em.createNativeQuery("delete from node_run where rollout_id = ?1 and node_name like 'wide-%'").setParameter(1, rolloutId)
                    .executeUpdate();
        });
    }
}
