package io.waveline.sim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.waveline.plan.Durations;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The simulated fleet's BMCs: one {@link SimBmc} per host, over HTTPS with a certificate signed by a CA made for this
 * run (the JDK's keytool, in a temporary folder); Waveline trusts that CA ({@link #caPem()}). Update tasks take
 * {@code waveline.sim.bmc-task-duration}; faults by the image version, {@code waveline.sim.bmc-faults}, e.g.
 * {@code 1.12.0@gpu-a100-08:task-fails} ({@code <version>[@<node>]:task-fails|version-unchanged|bmc-gone|graceful-ignored|bmc-restarts|no-power-cycle}).
 * A reset through a BMC reboots its simulated host (a new boot id after {@code waveline.sim.reboot-duration}).
 */
@ApplicationScoped
public class SimBmcs {

    public static final String USER = "waveline";
    public static final String PASSWORD = "sim-bmc-password";

    @ConfigProperty(name = "waveline.sim.bmc-task-duration", defaultValue = "10s")
    String taskDuration;

    @ConfigProperty(name = "waveline.sim.bmc-faults")
    Optional<String> faultRules;

    @Inject
    Clock clock;

    @Inject
    jakarta.enterprise.inject.Instance<SimFleet> fleet;

    private final Map<String, SimBmc> bmcs = new ConcurrentHashMap<>();
    private final Map<String, Set<SimBmc.Fault>> faults = new HashMap<>();
    private SSLContext tls;
    private String caPem;

    public synchronized String caPem() {
        certificates();
        return caPem;
    }

    public SimBmc bmc(String node) {
        return bmcs.computeIfAbsent(node, this::start);
    }

    private SimBmc start(String node) {
        certificates();
        try {
            return new SimBmc(tls, clock, Durations.parse(taskDuration).orElse(Duration.ofSeconds(10)), version -> faultsOf(version, node),
                    USER, PASSWORD, type -> fleet.get().resetByBmc(node, type.equals("PowerCycle")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the simulated BMC of " + node, e);
        }
    }

    private Set<SimBmc.Fault> faultsOf(String version, String node) {
        Set<SimBmc.Fault> all = EnumSet.noneOf(SimBmc.Fault.class);
        all.addAll(faults.getOrDefault(version, Set.of()));
        all.addAll(faults.getOrDefault(version + "@" + node, Set.of()));
        return all;
    }

    private synchronized void certificates() {
        if (tls != null) {
            return;
        }
        for (String rule : faultRules.orElse("").split(",")) {
            if (rule.isBlank()) {
                continue;
            }
            String[] parts = rule.trim().split(":");
            SimBmc.Fault fault = parts.length != 2 ? null : switch (parts[1].trim()) {
                case "task-fails" -> SimBmc.Fault.TASK_FAILS;
                case "version-unchanged" -> SimBmc.Fault.VERSION_UNCHANGED;
                case "bmc-gone" -> SimBmc.Fault.BMC_GONE;
                case "graceful-ignored" -> SimBmc.Fault.GRACEFUL_IGNORED;
                case "bmc-restarts" -> SimBmc.Fault.BMC_RESTARTS;
                case "no-power-cycle" -> SimBmc.Fault.NO_POWER_CYCLE;
                default -> null;
            };
            if (fault == null) {
                throw new IllegalArgumentException("waveline.sim.bmc-faults: \"" + rule + "\" is not <version>[@<node>]:<fault> with"
                        + " fault one of task-fails, version-unchanged, bmc-gone, graceful-ignored, bmc-restarts, no-power-cycle");
            }
            faults.computeIfAbsent(parts[0].trim(), k -> EnumSet.noneOf(SimBmc.Fault.class)).add(fault);
        }
        try {
            Path dir = Files.createTempDirectory("waveline-sim-bmc");
            dir.toFile().deleteOnExit();
            BmcCertificates certificates = BmcCertificates.make(dir, "Waveline simulated BMC CA");
            caPem = certificates.caPem();
            tls = certificates.serverTls();
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the simulated BMCs' certificates (the JDK's keytool)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @PreDestroy
    void stop() {
        bmcs.values().forEach(SimBmc::close);
    }
}
