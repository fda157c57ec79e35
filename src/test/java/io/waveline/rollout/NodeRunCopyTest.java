package io.waveline.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * A node run's copy, merged back, writes everything that changed: the source's own unflushed changes and what was
 * changed on the copy. The copy's own field writes are not tracked one by one (the engine's largest allocation site),
 * so a lost change here would be a transition the database never saw.
 */
@QuarkusTest
class NodeRunCopyTest {

    @Inject
    RolloutStore store;

    @Inject
    EntityManager em;

    long nodeRun(String rollout, String node) {
        long id = ConcurrentStartTestPlans.abortedRollout(rollout, node, "570.124.51");
        return QuarkusTransaction.requiringNew().call(() -> NodeRun.<NodeRun>find("rolloutId", id).firstResult().id);
    }

    @Test
    void aMergedCopyOfAManagedRunWritesTheRunsPendingChangeAndTheCopysOwn() {
        long id = nodeRun("copy-managed", "gpu-h100-13");
        long before = store.detached(id).version;
        QuarkusTransaction.requiringNew().run(() -> {
            NodeRun run = NodeRun.findById(id);
            run.rollbackPending = true; // changed on the managed run, not flushed yet
            NodeRun next = run.copy();
            next.progress = "changed on the copy";
            em.merge(next);
        });

        NodeRun after = store.detached(id);
        assertThat(after.rollbackPending).as("the source's unflushed change").isTrue();
        assertThat(after.progress).isEqualTo("changed on the copy");
        assertThat(after.version).isEqualTo(before + 1);
    }

    @Test
    void aMergedCopyWithNoChangeOfItsOwnStillWritesTheRunsPendingChange() {
        long id = nodeRun("copy-unchanged", "gpu-h100-15");
        QuarkusTransaction.requiringNew().run(() -> {
            NodeRun run = NodeRun.findById(id);
            run.rollbackPending = true;
            run.lastError = "changed on the managed run";
            em.merge(run.copy()); // a merge takes the copy's changes in place of the run's
        });

        NodeRun after = store.detached(id);
        assertThat(after.rollbackPending).isTrue();
        assertThat(after.lastError).isEqualTo("changed on the managed run");
    }

    @Test
    void aMergedCopyOfADetachedRunWritesTheCopysChange() {
        long id = nodeRun("copy-detached", "gpu-h100-14");
        NodeRun detached = store.detached(id);
        NodeRun next = detached.copy();
        next.lastError = "changed on a detached copy";
        next.attempts = detached.attempts + 2;
        QuarkusTransaction.requiringNew().run(() -> {
            NodeRun.findById(id); // the row managed in this session, as on the wave scan's path
            em.merge(next);
        });

        NodeRun after = store.detached(id);
        assertThat(after.lastError).isEqualTo("changed on a detached copy");
        assertThat(after.attempts).isEqualTo(detached.attempts + 2);
        assertThat(after.nodeName).as("the fields copied unchanged").isEqualTo("gpu-h100-14");
        assertThat(after.facts).isEqualTo(detached.facts);
    }
}
