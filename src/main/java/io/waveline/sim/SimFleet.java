package io.waveline.sim;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.fleet.FleetNode;
import io.waveline.sim.SimulatedFleet;
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

    /** Overrides the fleet file's timings (default 20s / 30s when neither gives one). */
    @ConfigProperty(name = "waveline.sim.install-duration")
    Optional<String> installDuration;

    @ConfigProperty(name = "waveline.sim.reboot-duration")
    Optional<String> rebootDuration;

    /** How long a heavy check (DCGM level 3+, NCCL) runs on a simulated host (default 30s). */
    @ConfigProperty(name = "waveline.sim.burn-in-duration")
    Optional<String> burnInDuration;

    /** Overrides the fleet file's fault rules. */
    @ConfigProperty(name = "waveline.sim.faults")
    Optional<String> faultRules;

    /** Where each host's state is kept between runs; empty: in memory only. */
    @ConfigProperty(name = "waveline.sim.state-dir")
    Optional<String> stateDir;

    /** The fleet file ({@code WAVELINE_SIM_FLEET}); the demo's default ships inside Waveline. */
    @ConfigProperty(name = "waveline.sim.fleet")
    Optional<String> fleetFile;

    @Inject
    Clock clock;

    private SimulatedFleet.Spec spec;

    @Inject
    com.fasterxml.jackson.databind.ObjectMapper json;

    private final Map<String, SimHost> hosts = new ConcurrentHashMap<>();
    private final Map<String, Set<SimFault>> faults = new HashMap<>();

    /** The simulated nodes as the fleet file describes them (before any upgrade). */
    public List<FleetNode> nodes() {
        return spec().nodes();
    }

    private synchronized SimulatedFleet.Spec spec() {
        if (spec == null) {
            spec = new SimulatedFleet(fleetFile.map(java.nio.file.Path::of)).spec();
        }
        return spec;
    }

    @PostConstruct
    void parseFaults() {
        String rules = faultRules.orElseGet(() -> String.join(",", spec().faults()));
        for (String rule : rules.split(",")) {
            if (rule.isBlank()) {
                continue;
            }
            String[] parts = rule.trim().split(":");
            Optional<SimFault> fault = parts.length == 2 ? SimFault.byWord(parts[1].trim()) : Optional.empty();
            if (fault.isEmpty()) {
                throw new IllegalArgumentException("waveline.sim.faults: \"" + rule + "\" is not <version>[@<node>]:<fault>"
                        + " with fault one of " + SimFault.words());
            }
            faults.computeIfAbsent(parts[0].trim(), k -> EnumSet.noneOf(SimFault.class)).add(fault.get());
        }
    }

    /**
     * The simulated host; with a state folder, as its file says now: the folder may be shared by several Waveline
     * processes (replicas), and the one driving a node after a takeover must see what the other did to the host.
     */
    public SimHost host(String name) {
        SimHost host = hosts.computeIfAbsent(name, this::create);
        if (stateDir.isPresent()) {
            synchronized (host) {
                reloadIfChanged(host);
            }
        }
        return host;
    }

    /** When each host's file was last read or written by this process (its modification time then). */
    private final Map<String, java.nio.file.attribute.FileTime> seen = new java.util.concurrent.ConcurrentHashMap<>();

    private void reloadIfChanged(SimHost host) {
        java.nio.file.Path file = java.nio.file.Path.of(stateDir.get(), host.name() + ".json");
        try {
            if (!java.nio.file.Files.exists(file)) {
                return;
            }
            java.nio.file.attribute.FileTime modified = java.nio.file.Files.getLastModifiedTime(file);
            if (!modified.equals(seen.get(host.name()))) {
                host.restore(json.readValue(file.toFile(), SimHost.State.class));
                seen.put(host.name(), modified);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot read simulated host state " + file, e);
        }
    }

    /** The hosts contacted so far (the others are as the inventory says). */
    public Map<String, SimHost> contacted() {
        return Map.copyOf(hosts);
    }

    /**
     * The most hosts of one rack ({@code rackLabel}) that ran heavy checks at the same moment, over everything the
     * simulated fleet saw: what a rack's power feed would have carried.
     */
    public Map<String, Integer> maxConcurrentBurnInByRack(String rackLabel) {
        Map<String, List<java.time.Instant[]>> byRack = new HashMap<>();
        for (SimHost host : hosts.values()) {
            String rack = nodes().stream().filter(n -> n.name().equals(host.name())).findFirst()
                    .map(n -> n.labels().getOrDefault(rackLabel, "")).orElse("");
            byRack.computeIfAbsent(rack, k -> new java.util.ArrayList<>()).addAll(host.burnIns());
        }
        Map<String, Integer> max = new HashMap<>();
        byRack.forEach((rack, intervals) -> {
            int most = 0;
            for (java.time.Instant[] i : intervals) {
                int at = (int) intervals.stream().filter(j -> !j[0].isAfter(i[0]) && j[1].isAfter(i[0])).count();
                most = Math.max(most, at);
            }
            max.put(rack, most);
        });
        return max;
    }

    /** Holds every host's heavy checks past their duration, or releases them ({@link SimHost#holdHeavyChecks}). */
    public void holdHeavyChecks(boolean held) {
        nodes().forEach(node -> host(node.name()).holdHeavyChecks(held, clock.instant()));
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Runs a command on a host and, when the fleet is persistent, stores the host's state after it. A command that
     * waits on the host (for its job's end, for a new boot id) looks again every 50 ms, as the host's shell would,
     * until the answer changes or it has looked as often as it asks; a host that goes down meanwhile ends it.
     */
    public io.waveline.rollout.port.CommandResult exec(String name, String command) throws io.waveline.rollout.port.NodeUnreachableException {
        io.waveline.rollout.port.CommandResult answer = execOnce(name, command);
        java.util.Optional<SimHost.Waiting> waiting = SimHost.waiting(command);
        int looks = waiting.map(SimHost.Waiting::looks).orElse(0);
        for (int look = 0; look < looks && waiting.get().unchanged().test(answer.output()); look++) {
            try {
                Thread.sleep(io.waveline.rollout.port.DetachedJob.WAIT_STEP.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return answer;
            }
            answer = execOnce(name, command);
        }
        return answer;
    }

    private io.waveline.rollout.port.CommandResult execOnce(String name, String command)
            throws io.waveline.rollout.port.NodeUnreachableException {
        SimHost host = host(name);
        if (stateDir.isEmpty()) {
            return host.exec(command, clock.instant());
        }
        synchronized (host) { // read, run and store as one step: another thread's reload cannot come in between
            reloadIfChanged(host);
            SimHost.State before = host.state();
            try {
                return host.exec(command, clock.instant());
            } finally {
                if (!before.equals(host.state())) {
                    save(host);
                }
            }
        }
    }

    /** The host's BMC reset it: it goes down and boots again, as after a reboot; a power cycle also activates GPU firmware. */
    public void resetByBmc(String name, boolean powerCycle) {
        SimHost host = host(name);
        synchronized (host) {
            if (stateDir.isPresent()) {
                reloadIfChanged(host);
            }
            host.resetByBmc(powerCycle, clock.instant());
            save(host);
        }
    }

    private void save(SimHost host) {
        if (stateDir.isEmpty()) {
            return;
        }
        try {
            java.nio.file.Path dir = java.nio.file.Path.of(stateDir.get());
            java.nio.file.Files.createDirectories(dir);
            java.nio.file.Path file = dir.resolve(host.name() + ".json");
            java.nio.file.Path temp = dir.resolve(host.name() + ".json.tmp");
            java.nio.file.Files.writeString(temp, json.writeValueAsString(host.state()));
            java.nio.file.Files.move(temp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            seen.put(host.name(), java.nio.file.Files.getLastModifiedTime(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot store simulated host " + host.name(), e);
        }
    }

    private SimHost create(String name) {
        SimHost host = fresh(name);
        if (stateDir.isPresent()) {
            java.nio.file.Path file = java.nio.file.Path.of(stateDir.get(), name + ".json");
            if (java.nio.file.Files.exists(file)) {
                try {
                    host.restore(json.readValue(file.toFile(), SimHost.State.class));
                    seen.put(name, java.nio.file.Files.getLastModifiedTime(file));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("cannot read simulated host state " + file, e);
                }
            }
        }
        return host;
    }

    private SimHost fresh(String name) {
        FleetNode node = nodes().stream().filter(n -> n.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no simulated host " + name));
        return new SimHost(name, new SimHardware(node.gpuVendor(), node.gpuModel(), node.gpuCount(), node.nvswitch()),
                node.versions(), version -> faultsOf(version, name),
                duration(installDuration.or(() -> spec().installDuration()).orElse("20s")),
                duration(rebootDuration.or(() -> spec().rebootDuration()).orElse("30s")),
                duration(burnInDuration.or(() -> spec().burnInDuration()).orElse("30s")));
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
