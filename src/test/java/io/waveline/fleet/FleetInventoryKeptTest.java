package io.waveline.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;

/**
 * The fleet is kept between reads (a preview or start on thousands of nodes does not load every row again) and read
 * again as soon as any replica stores a new one: the store raises {@code fleet_revision} in its own transaction.
 */
@QuarkusTest
class FleetInventoryKeptTest {

    @Inject
    FleetInventory inventory;

    @Inject
    EntityManager em;

    /** The fleet as a request reads it: in a transaction of its own. */
    List<FleetNode> read() {
        return QuarkusTransaction.requiringNew().call(inventory::nodes);
    }

    @Test
    void theFleetIsReadAgainOnlyWhenAStoreOfAnyReplicaChangedIt() {
        List<FleetNode> first = read();
        String name = first.get(0).name();
        assertThat(first.get(0).available()).isTrue();
        assertThat(read()).as("nothing stored since: the same fleet, not read again").isSameAs(first);

        // Another replica's store: the node rows and the revision, in one transaction.
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("update fleet_node set available = false where name = ?1").setParameter(1, name).executeUpdate();
            em.createNativeQuery("update fleet_revision set revision = revision + 1").executeUpdate();
        });
        try {
            assertThat(read()).filteredOn(n -> n.name().equals(name)).singleElement()
                    .extracting(FleetNode::available).isEqualTo(false);
        } finally {
            inventory.refresh(); // this replica's store puts the fleet back as its sources say
        }
        assertThat(read()).filteredOn(n -> n.name().equals(name)).singleElement()
                .extracting(FleetNode::available).isEqualTo(true);
    }
}
