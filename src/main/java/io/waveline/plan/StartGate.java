package io.waveline.plan;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Whether one more node may go out of service now. The one place the plan's limits are applied, by the preview's
 * simulation and by the engine alike: the wave's {@code maxParallel}, the fleet {@code maxUnavailable} over the
 * pool (nodes already out of service count), every failure-domain limit (ditto), and the maintenance windows.
 * Pure.
 */
public final class StartGate {

    private final Limits limits;
    private final int maxUnavailable;
    private final List<NodeFacts> alreadyOut;

    public StartGate(Limits limits, List<NodeFacts> pool) {
        this.limits = limits;
        this.maxUnavailable = limits.maxUnavailable().resolve(pool.size());
        this.alreadyOut = pool.stream().filter(n -> !n.available()).toList();
    }

    public java.util.Optional<PowerBudget> power() {
        return limits.power();
    }

    public int maxUnavailable() {
        return maxUnavailable;
    }

    public List<NodeFacts> alreadyOut() {
        return alreadyOut;
    }

    /** Empty when {@code candidate} may start now; otherwise the limit that holds it back, in words. */
    public Optional<String> blocker(NodeFacts candidate, Collection<NodeFacts> inFlight, int inFlightInWave,
            Optional<Integer> maxParallel, Instant now) {
        if (maxParallel.isPresent() && inFlightInWave >= maxParallel.get()) {
            return Optional.of("the wave's maxParallel " + maxParallel.get() + " is reached");
        }
        if (outWith(candidate, inFlight) > maxUnavailable) {
            return Optional.of("maxUnavailable " + limits.maxUnavailable() + " (" + maxUnavailable + " nodes) is reached");
        }
        for (FailureDomainLimit limit : limits.failureDomains()) {
            if (!domainAllows(candidate, inFlight, limit)) {
                return Optional.of(limit.labelKey() + "=" + candidate.label(limit.labelKey()) + " allows "
                        + limit.maxUnavailable() + " node(s) out at once");
            }
        }
        if (!windowOpen(now)) {
            return Optional.of("outside the maintenance windows");
        }
        return Optional.empty();
    }

    /**
     * The gate over {@code inFlight} nodes out of service now, for deciding many candidates in a row: it keeps the
     * names out, fleet-wide and per failure domain, so each candidate costs the same however many are out (the decider
     * asks it for every pending node of a wave of thousands). It answers what {@link #blocker} would.
     */
    public Admission admission(Collection<NodeFacts> inFlight) {
        return new Admission(inFlight);
    }

    /** {@link #blocker} with the nodes out kept as sets; {@link #admit} adds the node just started. */
    public final class Admission {
        private final Set<String> out = new java.util.HashSet<>();
        private final Set<String> outBefore = new java.util.HashSet<>();
        private final List<java.util.Map<String, Set<String>>> byDomain = new java.util.ArrayList<>();

        private Admission(Collection<NodeFacts> inFlight) {
            for (int i = 0; i < limits.failureDomains().size(); i++) {
                byDomain.add(new java.util.HashMap<>());
            }
            alreadyOut.forEach(this::admit);
            outBefore.addAll(out);
            inFlight.forEach(this::admit);
        }

        public void admit(NodeFacts node) {
            out.add(node.name());
            for (int i = 0; i < byDomain.size(); i++) {
                String domain = node.labels().get(limits.failureDomains().get(i).labelKey());
                if (domain != null) {
                    byDomain.get(i).computeIfAbsent(domain, d -> new java.util.HashSet<>()).add(node.name());
                }
            }
        }

        /**
         * A node admitted earlier is back in service (the preview's simulation, when its time is up); a node that was out
         * of service before the rollout stays counted.
         */
        public void release(NodeFacts node) {
            if (outBefore.contains(node.name())) {
                return;
            }
            out.remove(node.name());
            for (int i = 0; i < byDomain.size(); i++) {
                String domain = node.labels().get(limits.failureDomains().get(i).labelKey());
                Set<String> there = domain == null ? null : byDomain.get(i).get(domain);
                if (there != null) {
                    there.remove(node.name());
                }
            }
        }

        /** How many nodes are out of service now: those out before the rollout and those admitted and not released. */
        public int out() {
            return out.size();
        }

        /** Whether {@code node} is counted out of service now. */
        public boolean isOut(NodeFacts node) {
            return out.contains(node.name());
        }

        public Optional<String> blocker(NodeFacts candidate, int inFlightInWave, Optional<Integer> maxParallel, Instant now) {
            if (maxParallel.isPresent() && inFlightInWave >= maxParallel.get()) {
                return Optional.of("the wave's maxParallel " + maxParallel.get() + " is reached");
            }
            if (out.size() + (out.contains(candidate.name()) ? 0 : 1) > maxUnavailable) {
                return Optional.of("maxUnavailable " + limits.maxUnavailable() + " (" + maxUnavailable + " nodes) is reached");
            }
            for (int i = 0; i < byDomain.size(); i++) {
                FailureDomainLimit limit = limits.failureDomains().get(i);
                String domain = candidate.labels().get(limit.labelKey());
                if (domain == null) {
                    continue;
                }
                Set<String> there = byDomain.get(i).getOrDefault(domain, Set.of());
                if (there.size() + (there.contains(candidate.name()) ? 0 : 1) > limit.maxUnavailable()) {
                    return Optional.of(limit.labelKey() + "=" + domain + " allows " + limit.maxUnavailable() + " node(s) out at once");
                }
            }
            if (!windowOpen(now)) {
                return Optional.of("outside the maintenance windows");
            }
            return Optional.empty();
        }
    }

    /**
     * Whether {@code inFlight} nodes in flight (none of them among the nodes already out) use up maxUnavailable, so that
     * no node that is not out yet can start: the cheap answer {@link #blocker} would give every such candidate.
     */
    public boolean full(int inFlight) {
        return alreadyOut.size() + inFlight >= maxUnavailable;
    }

    public boolean windowOpen(Instant now) {
        ZonedDateTime at = now.atZone(ZoneOffset.UTC);
        return limits.maintenanceWindows().isEmpty() || limits.maintenanceWindows().stream().anyMatch(w -> w.isOpen(at));
    }

    public Instant nextOpening(Instant now) {
        ZonedDateTime at = now.atZone(ZoneOffset.UTC);
        return limits.maintenanceWindows().stream().map(w -> w.nextOpening(at).toInstant())
                .min(Comparator.naturalOrder()).orElse(now);
    }

    /** Whether {@code candidate} could ever start with nothing else in flight (inside a window). */
    public Optional<String> permanentBlocker(NodeFacts candidate) {
        if (outWith(candidate, List.of()) > maxUnavailable) {
            return Optional.of("maxUnavailable " + limits.maxUnavailable() + " (" + maxUnavailable
                    + " nodes) is used up by " + alreadyOut.size() + " node(s) already out of service ("
                    + WavePlanner.names(alreadyOut.stream().map(NodeFacts::name).toList())
                    + "); raise spec.limits.maxUnavailable or bring them back");
        }
        for (FailureDomainLimit limit : limits.failureDomains()) {
            if (!domainAllows(candidate, List.of(), limit)) {
                String domain = candidate.label(limit.labelKey());
                return Optional.of(limit.labelKey() + "=" + domain + " allows " + limit.maxUnavailable()
                        + " node(s) out at once and " + WavePlanner.names(outIn(limit, domain))
                        + " already out of service there; raise that limit in spec.limits.failureDomains or bring "
                        + "the nodes back");
            }
        }
        return Optional.empty();
    }

    private int outWith(NodeFacts candidate, Collection<NodeFacts> inFlight) {
        Set<String> out = new LinkedHashSet<>();
        alreadyOut.forEach(n -> out.add(n.name()));
        inFlight.forEach(n -> out.add(n.name()));
        out.add(candidate.name());
        return out.size();
    }

    private boolean domainAllows(NodeFacts candidate, Collection<NodeFacts> inFlight, FailureDomainLimit limit) {
        String domain = candidate.labels().get(limit.labelKey());
        if (domain == null) {
            return true;
        }
        Set<String> out = new LinkedHashSet<>(outIn(limit, domain));
        inFlight.stream().filter(n -> domain.equals(n.labels().get(limit.labelKey()))).forEach(n -> out.add(n.name()));
        out.add(candidate.name());
        return out.size() <= limit.maxUnavailable();
    }

    private List<String> outIn(FailureDomainLimit limit, String domain) {
        return alreadyOut.stream().filter(n -> domain.equals(n.labels().get(limit.labelKey()))).map(NodeFacts::name)
                .toList();
    }
}
