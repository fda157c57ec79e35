package io.waveline.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

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
 * A validation's light checks on a simulated H100 node: over SSH the kernel log, the NVLink status and the GPU state
 * are read at once, and DCGM's diagnostics run after them, alone; a runner that takes the node's GPUs for each command
 * (check pods) gets them one after the other.
 */
class LightChecksTest {

    static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");
    static final NodeAddress NODE = new NodeAddress("gpu-01", "10.0.0.1", 22, "waveline");
    static final Set<String> READS = Set.of(XidScan.COMMAND, NvlinkStatus.COMMAND);

    final SimHost host = new SimHost("gpu-01", new SimHardware("nvidia", "H100-SXM5-80GB", 8, true), Map.of("nvidia-driver",
            "570.133.20", "nvidia-fabricmanager", "570.133.20"), version -> Set.of(), Duration.ZERO, Duration.ZERO, Duration.ZERO);
    /** The three reads meet here: each waits until the other two are under way too. */
    final CyclicBarrier together = new CyclicBarrier(3);
    final List<String> order = new ArrayList<>();
    volatile boolean validating;
    final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.atomic.AtomicInteger mostAtOnce = new java.util.concurrent.atomic.AtomicInteger();

    CheckRunner runner(boolean concurrent) {
        return new SimCheckRunner() {
            @Override
            public boolean concurrent() {
                return concurrent;
            }

            @Override
            public CommandResult run(NodeAddress node, String command, Duration timeout) throws NodeUnreachableException {
                boolean read = READS.contains(command) || command.contains("vbios_version");
                if (validating) {
                    mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                }
                try {
                    return answer(command, read);
                } finally {
                    if (validating) {
                        inFlight.decrementAndGet();
                    }
                }
            }

            private CommandResult answer(String command, boolean read) throws NodeUnreachableException {
                if (validating && concurrent && read) {
                    try {
                        together.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException | BrokenBarrierException | TimeoutException e) {
                        throw new NodeUnreachableException("the three reads did not run at once: " + e);
                    }
                }
                CommandResult result = host.exec(command, NOW);
                if (validating) {
                    synchronized (order) {
                        order.add(command.startsWith("dcgmi") ? "dcgm" : read ? "read" : command);
                    }
                }
                return result;
            }
        };
    }

    List<CheckOutcome> validate(GpuHealthChecks checks) throws Exception {
        GpuBaseline baseline = checks.baseline(NODE);
        validating = true;
        List<CheckRequest> requested = List.of(new CheckRequest("dcgm-diag", Map.of("level", 1), 600),
                new CheckRequest("xid", Map.of(), 120), new CheckRequest("ecc", Map.of(), 60), new CheckRequest("nvlink", Map.of(), 120),
                new CheckRequest("vbios", Map.of(), 60));
        return checks.runRequested(NODE, new CheckContext(Map.of("nvidia-driver", "570.133.20"), Optional.of(baseline), requested));
    }

    @Test
    void overSshTheReadsGoAtOnceAndDcgmRunsAfterThemAlone() throws Exception {
        List<CheckOutcome> outcomes = validate(new GpuHealthChecks(runner(true)));

        assertThat(outcomes).extracting(CheckOutcome::check).containsExactly("dcgm-diag", "xid", "ecc", "nvlink", "vbios");
        assertThat(outcomes).extracting(CheckOutcome::status).containsOnly(CheckStatus.PASS);
        assertThat(order).containsExactly("read", "read", "read", "dcgm");
        assertThat(mostAtOnce.get()).as("commands on the node at once").isEqualTo(3);
    }

    @Test
    void aRunnerThatTakesTheNodesGpusRunsOneCommandAtATime() throws Exception {
        List<CheckOutcome> outcomes = validate(new GpuHealthChecks(runner(false)));

        assertThat(outcomes).extracting(CheckOutcome::status).containsOnly(CheckStatus.PASS);
        assertThat(mostAtOnce.get()).as("commands on the node at once").isEqualTo(1);
        assertThat(order).endsWith("dcgm").hasSize(4);
    }
}
