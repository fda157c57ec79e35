package io.waveline.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.fleet.FleetNode;
import io.waveline.fleet.SimulatedFleet;
import io.waveline.plan.Durations;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The simulated hosts behind the demo fleet, one {@link SimHost} per node of {@link SimulatedFleet}, with the
 * configured step timings and fault rules. {@code waveline.sim.faults} is a comma-separated list of
 * {@code <when>:<fault>}, where {@code <when>} is a driver version (every host on it), {@code <version>@<node>} (one
 * host on that version) or {@code *@<node>} (one host, always); e.g. {@code 575.51.02:gpu-missing}.
 */
@ApplicationScoped
public class SimFleet {

    @ConfigProperty(name = "waveline.sim.install-duration", defaultValue = "20s")
    String installDuration;

    @ConfigProperty(name = "waveline.sim.reboot-duration", defaultValue = "30s")
    String rebootDuration;

    @ConfigProperty(name = "waveline.sim.faults", defaultValue = "")
    String faultRules;

    @Inject
    Clock clock;

    private final Map<String, SimHost> hosts = new ConcurrentHashMap<>();
    private final Map<String, Set<SimFault>> faults = new HashMap<>();

    @PostConstruct
    void parseFaults() {
        for (String rule : faultRules.split(",")) {
            if (rule.isBlank()) {
                continue;
            }
            String[] parts = rule.trim().split(":");
            Optional<SimFault> fault = parts.length == 2 ? SimFault.byWord(parts[1].trim()) : Optional.empty();
            if (fault.isEmpty()) {
                throw new IllegalArgumentException("waveline.sim.faults: \"" + rule + "\" is not <version>[@<node>]:<fault>"
                        + " with fault one of install-fails, reboot-hangs, nvml-mismatch, gpu-missing, flaky-ssh");
            }
            faults.computeIfAbsent(parts[0].trim(), k -> EnumSet.noneOf(SimFault.class)).add(fault.get());
        }
    }

    public SimHost host(String name) {
        return hosts.computeIfAbsent(name, this::create);
    }

    /** The hosts contacted so far (the others are as the inventory says). */
    public Map<String, SimHost> contacted() {
        return Map.copyOf(hosts);
    }

    public Clock clock() {
        return clock;
    }

    private SimHost create(String name) {
        FleetNode node = new SimulatedFleet().load().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no simulated host " + name));
        return new SimHost(name, node.gpuCount(), node.versions(), version -> faultsOf(version, name),
                duration(installDuration), duration(rebootDuration));
    }

    private Set<SimFault> faultsOf(String version, String host) {
        Set<SimFault> all = EnumSet.noneOf(SimFault.class);
        String v = version == null ? "" : version;
        all.addAll(faults.getOrDefault(v, Set.of()));
        all.addAll(faults.getOrDefault(v + "@" + host, Set.of()));
        all.addAll(faults.getOrDefault("*@" + host, Set.of()));
        return all;
    }

    private static Duration duration(String text) {
        return Durations.parse(text).orElseThrow(() -> new IllegalArgumentException("not a duration: " + text));
    }
}
