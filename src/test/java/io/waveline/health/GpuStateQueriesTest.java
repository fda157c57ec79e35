package io.waveline.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

import io.waveline.rollout.port.CheckContext;
import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckRequest;
import io.waveline.rollout.port.CheckRunner;
import io.waveline.rollout.port.CheckStatus;
import io.waveline.rollout.port.CommandResult;
import io.waveline.rollout.port.GpuBaseline;
import io.waveline.rollout.port.NodeAddress;
import io.waveline.rollout.port.NodeUnreachableException;
import io.waveline.sim.SimHardware;
import io.waveline.sim.SimHost;

/**
 * The GPU state query on simulated hosts, which refuse the fields their GPU generation lacks as nvidia-smi does: a
 * node's refusals are asked once, not at every baseline, and asked again when its GPUs change; the four checks judged
 * from the state query share one answer.
 */
class GpuStateQueriesTest {

    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    static final NodeAddress NODE = new NodeAddress("gpu-01", "10.0.0.1", 22, "waveline");

    final AtomicReference<SimHost> host = new AtomicReference<>();
    final List<String> stateQueries = new ArrayList<>();

    final CheckRunner runner = new SimCheckRunner() {
        @Override
        public CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
            if (command.contains("vbios_version")) {
                synchronized (stateQueries) {
                    stateQueries.add(command);
                }
            }
            return host.get().exec(command, NOW);
        }
    };

    static SimHost host(String name, String model) {
        return new SimHost(name, new SimHardware("nvidia", model, 8, true), Map.of("nvidia-driver", "570.133.20",
                "nvidia-fabricmanager", "570.133.20"), version -> Set.of(), Duration.ZERO, Duration.ZERO, Duration.ZERO);
    }

    @Test
    void aNodesRefusedFieldIsAskedForOnceAndAgainOnlyWhenItsGpusChange() throws Exception {
        GpuHealthChecks checks = new GpuHealthChecks(runner);
        host.set(host("gpu-01", "H100-SXM5-80GB"));

        GpuBaseline first = checks.baseline(NODE);
        assertThat(stateQueries).as("the first baseline: refused for retired_pages.pending, asked again").hasSize(2);
        assertThat(first.problem()).as("the baseline is complete").isNull();
        assertThat(first.gpus()).hasSize(8).allSatisfy(g -> assertThat(g.vbios()).isNotBlank());

        stateQueries.clear();
        GpuBaseline next = checks.baseline(NODE);
        assertThat(stateQueries).as("the next baseline asks once, without the field").hasSize(1)
                .allSatisfy(q -> assertThat(q).doesNotContain("retired_pages.pending"));
        assertThat(next).as("the same baseline").isEqualTo(first);

        stateQueries.clear();
        host.set(host("gpu-01-rebuilt", "V100-SXM2-32GB")); // other GPUs behind the same address: pre-Ampere
        GpuBaseline rebuilt = checks.baseline(NODE);
        assertThat(stateQueries.get(stateQueries.size() - 1)).as("asked for every field its GPUs know, page retirement too")
                .contains("retired_pages.pending");
        assertThat(rebuilt.problem()).isNull();
    }

    @Test
    void theFourStateChecksOfAValidationJudgeOneAnswer() throws Exception {
        GpuHealthChecks checks = new GpuHealthChecks(runner);
        host.set(host("gpu-02", "H100-SXM5-80GB"));
        GpuBaseline baseline = checks.baseline(NODE);
        stateQueries.clear();
        List<CheckRequest> requested = List.of("vbios", "gpu-modes", "xid", "ecc", "clock-events").stream()
                .map(name -> new CheckRequest(name, Map.of(), 60)).toList();

        List<CheckOutcome> outcomes = checks.runRequested(NODE, new CheckContext(Map.of("nvidia-driver", "570.133.20"),
                Optional.of(baseline), requested));

        assertThat(outcomes).extracting(CheckOutcome::check).containsExactly("vbios", "gpu-modes", "xid", "ecc", "clock-events");
        assertThat(outcomes).extracting(CheckOutcome::status).containsOnly(CheckStatus.PASS);
        assertThat(stateQueries).as("one state query for the four").hasSize(1);
    }
}
