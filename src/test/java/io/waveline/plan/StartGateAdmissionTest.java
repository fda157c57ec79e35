package io.waveline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * The decider starts nodes through {@link StartGate.Admission}, which keeps the nodes out as sets so a wave of
 * thousands costs the same per candidate: over generated pools, limits and orders it must refuse and allow exactly
 * what {@link StartGate#blocker} (the preview's rule) does, with the same words, as nodes start and, in the
 * preview's simulation, end ({@link StartGate.Admission#release}).
 */
class StartGateAdmissionTest {

    static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void admissionDecidesEveryCandidateAsTheBlockerRuleDoes() {
        int allowed = 0;
        int refused = 0;
        for (long seed = 1; seed <= 300; seed++) {
            Random random = new Random(seed);
            List<NodeFacts> pool = new ArrayList<>();
            int racks = 1 + random.nextInt(5);
            for (int i = 0; i < 5 + random.nextInt(60); i++) {
                pool.add(new NodeFacts("n" + i, Map.of("rack", "r" + random.nextInt(racks)), "nvidia", "H100", 8, true, Map.of(),
                        random.nextInt(10) != 0));
            }
            List<FailureDomainLimit> domains = random.nextBoolean() ? List.of()
                    : List.of(new FailureDomainLimit("rack", 1 + random.nextInt(3)));
            Quantity max = random.nextBoolean() ? Quantity.count(1 + random.nextInt(8)) : Quantity.percentage(5 + random.nextInt(40));
            StartGate gate = new StartGate(new Limits(max, domains, List.of()), pool);
            List<NodeFacts> inFlight = new ArrayList<>();
            for (NodeFacts node : pool) {
                if (random.nextInt(8) == 0) {
                    inFlight.add(node);
                }
            }
            StartGate.Admission admission = gate.admission(inFlight);
            Optional<Integer> maxParallel = random.nextBoolean() ? Optional.empty() : Optional.of(1 + random.nextInt(6));
            int inWave = random.nextInt(3);
            for (NodeFacts candidate : pool) {
                Optional<String> expected = gate.blocker(candidate, inFlight, inWave, maxParallel, NOW);
                assertThat(admission.blocker(candidate, inWave, maxParallel, NOW)).as("seed %d, candidate %s", seed, candidate.name())
                        .isEqualTo(expected);
                if (expected.isEmpty()) {
                    if (!inFlight.contains(candidate)) { // a node is in flight once
                        inFlight.add(candidate);
                    }
                    admission.admit(candidate);
                    inWave++;
                    allowed++;
                } else {
                    refused++;
                }
                if (!inFlight.isEmpty() && random.nextInt(4) == 0) { // one ends (the preview's simulation releases it)
                    NodeFacts back = inFlight.remove(random.nextInt(inFlight.size()));
                    admission.release(back);
                    inWave = Math.max(0, inWave - 1);
                }
            }
        }
        assertThat(allowed).as("generated cases both allow").isGreaterThan(100);
        assertThat(refused).as("and refuse").isGreaterThan(100);
    }
}
