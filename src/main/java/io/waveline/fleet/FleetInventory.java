package io.waveline.fleet;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.waveline.plan.NaturalOrder;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;

/**
 * The fleet as Waveline knows it, kept in PostgreSQL so it is there at once after a restart.
 *
 * <p>A refresh reads every configured source (static YAML, Ansible inventory, simulated fleet) outside any
 * transaction, then merges by node name in source order (an earlier source wins a field; a later one adds the
 * labels and versions the earlier lacks, and the GPU facts when the earlier gave none; a node is available only
 * if every source says so) and writes the result in one transaction. A source that fails keeps
 * its nodes as they were and reports its errors; nodes that a healthy source no longer lists are marked absent.
 * Runs at start, every {@code waveline.inventory.refresh-interval}, and on demand.
 */
@ApplicationScoped
public class FleetInventory {

    private static final Logger LOG = Logger.getLogger(FleetInventory.class);

    @ConfigProperty(name = "waveline.inventory.static-file")
    Optional<String> staticFile;

    @ConfigProperty(name = "waveline.inventory.ansible-file")
    Optional<String> ansibleFile;


    @Inject
    Clock clock;

    /**
     * Sources that are beans (a Kubernetes cluster, the simulator's fleet), read when they say they are enabled.
     */
    @Inject
    @Any
    Instance<InventorySource> beanSources;

    @Inject
    jakarta.persistence.EntityManager em;

    private final List<InventorySource> sources = new ArrayList<>();
    private final Map<String, SourceStatus> statuses = new ConcurrentHashMap<>();
    /** The fleet as read last, and the {@code fleet_revision} it was read at. */
    private volatile Kept kept;

    private record Kept(long revision, List<FleetNode> nodes) {
    }

    @PostConstruct
    void configureSources() {
        staticFile.ifPresent(f -> sources.add(InventoryFile.staticYaml(Path.of(f))));
        ansibleFile.ifPresent(f -> sources.add(InventoryFile.ansible(Path.of(f))));
        for (InventorySource source : beanSources) {
            if (source.enabled()) {
                sources.add(source);
            }
        }
    }

    void onStart(@Observes StartupEvent event) {
        refresh();
        LOG.infof("Fleet inventory: %d nodes from %s", nodes().size(),
                sources.isEmpty() ? "no source (set waveline.inventory.static-file or ansible-file)"
                        : String.join(", ", sources.stream().map(InventorySource::name).toList()));
    }

    @Scheduled(every = "${waveline.inventory.refresh-interval}", delayed = "30s",
            identity = "inventory-refresh", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduledRefresh() {
        refresh();
    }

    /** Re-reads every source and stores the merged fleet; answers each source's status. */
    public synchronized List<SourceStatus> refresh() {
        Instant now = clock.instant();
        Map<String, FleetNode> merged = new LinkedHashMap<>();
        List<String> healthy = new ArrayList<>();
        for (InventorySource source : sources) {
            SourceStatus previous = statuses.get(source.name());
            try {
                List<FleetNode> nodes = source.load();
                nodes.forEach(node -> merged.merge(node.name(), node, FleetInventory::merge));
                healthy.add(source.name());
                statuses.put(source.name(), new SourceStatus(source.name(), true, nodes.size(), now, now, List.of()));
            } catch (InventoryException e) {
                LOG.errorf("Inventory source %s is broken, keeping its last nodes: %s", source.name(), e.getMessage());
                statuses.put(source.name(), new SourceStatus(source.name(), false,
                        previous == null ? 0 : previous.nodes(), now, previous == null ? null : previous.lastSuccessAt(),
                        e.problems()));
            } catch (RuntimeException e) {
                LOG.errorf(e, "Inventory source %s failed", source.name());
                statuses.put(source.name(), new SourceStatus(source.name(), false,
                        previous == null ? 0 : previous.nodes(), now, previous == null ? null : previous.lastSuccessAt(),
                        List.of(new io.waveline.plan.PlanError(source.name(), 0, 0, "", String.valueOf(e.getMessage())))));
            }
        }
        Set<String> configured = Set.copyOf(sources.stream().map(InventorySource::name).toList());
        QuarkusTransaction.requiringNew().run(() -> store(merged, healthy, configured, now));
        return sources();
    }

    private void store(Map<String, FleetNode> merged, List<String> healthy, Set<String> configured, Instant now) {
        em.createNativeQuery("update fleet_revision set revision = revision + 1").executeUpdate();
        Map<String, NodeRecord> existing = new HashMap<>();
        NodeRecord.<NodeRecord>listAll().forEach(r -> existing.put(r.name, r));
        for (FleetNode node : merged.values()) {
            NodeRecord record = existing.remove(node.name());
            if (record == null) {
                record = new NodeRecord();
                record.name = node.name();
                record.update(node, now);
                record.persist();
            } else {
                record.update(node, now);
            }
        }
        for (NodeRecord gone : existing.values()) {
            if (gone.present && (healthy.contains(gone.source) || !configured.contains(gone.source))) {
                gone.present = false;
            }
        }
    }

    static FleetNode merge(FleetNode first, FleetNode later) {
        Map<String, String> labels = new HashMap<>(later.labels());
        labels.putAll(first.labels());
        Map<String, String> versions = new HashMap<>(later.versions());
        versions.putAll(first.versions());
        boolean firstKnowsGpus = first.gpuCount() > 0;
        return new FleetNode(first.name(), first.address(), first.sshPort(),
                first.sshUser() != null ? first.sshUser() : later.sshUser(), Map.copyOf(labels),
                firstKnowsGpus ? first.gpuVendor() : later.gpuVendor(),
                firstKnowsGpus ? first.gpuModel() : later.gpuModel(),
                firstKnowsGpus ? first.gpuCount() : later.gpuCount(), first.nvswitch() || later.nvswitch(),
                Map.copyOf(versions), first.available() && later.available(), first.source());
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public List<NodeRecord> records() {
        List<NodeRecord> records = new ArrayList<>(NodeRecord.<NodeRecord>list("present", true));
        records.sort((a, b) -> NaturalOrder.INSTANCE.compare(a.name, b.name));
        return records;
    }

    @Transactional(Transactional.TxType.SUPPORTS)
    public Optional<NodeRecord> record(String name) {
        return NodeRecord.<NodeRecord>findByIdOptional(name).filter(r -> r.present);
    }

    /**
     * The nodes present, in natural name order. Kept between calls: read again only when a store (of this replica or
     * another) raised {@code fleet_revision} since, so a preview or a start on a fleet of thousands does not load
     * and parse every node row (one query for the revision instead).
     */
    @Transactional(Transactional.TxType.SUPPORTS)
    public List<FleetNode> nodes() {
        long revision = revision();
        Kept last = kept;
        if (last != null && last.revision() == revision) {
            return last.nodes();
        }
        List<FleetNode> nodes = records().stream().map(NodeRecord::toNode).toList();
        kept = new Kept(revision, nodes);
        return nodes;
    }

    private long revision() {
        return ((Number) em.createNativeQuery("select revision from fleet_revision where id = 1").getSingleResult()).longValue();
    }

    public List<SourceStatus> sources() {
        return sources.stream().map(s -> statuses.get(s.name())).filter(java.util.Objects::nonNull).toList();
    }
}
