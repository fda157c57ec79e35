package io.waveline.rollout;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.waveline.health.CheckContext;
import io.waveline.health.CheckOutcome;
import io.waveline.health.CheckRequest;
import io.waveline.health.HealthCheck;
import io.waveline.ssh.NodeAddress;
import io.waveline.ssh.NodeUnreachableException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The wave-level checks ({@link Action.CheckWave}): a fresh XID scan of every node the wave upgraded, after the
 * wave settled and again at the end of its soak. Reads the nodes, runs the scans outside any transaction, then
 * commits the verdicts with {@link RolloutStore#commitWaveCheck}, which ignores a stage already recorded, so a
 * crash in between only repeats the (read-only) scan. A node that does not answer is reported and left as it is.
 */
@ApplicationScoped
public class WaveChecker {

    @Inject
    RolloutStore store;

    @Inject
    HealthCheck checks;

    @Inject
    Clock clock;

    public void run(long rolloutId, Action.CheckWave action) {
        RolloutStore.WaveScan scan = store.waveScan(rolloutId, action.wave());
        CheckRequest xid = scan.xidRequest();
        Map<Long, CheckOutcome> outcomes = new LinkedHashMap<>();
        List<String> unreachable = new ArrayList<>();
        for (NodeRun run : scan.nodes()) {
            NodeAddress address = new NodeAddress(run.nodeName, run.facts.address(), run.facts.sshPort(), run.facts.sshUser());
            try {
                outcomes.put(run.id, checks.runOne(address, xid, CheckContext.none()));
            } catch (NodeUnreachableException | RuntimeException e) {
                unreachable.add(run.nodeName + " (" + e.getMessage() + ")");
            }
        }
        store.commitWaveCheck(rolloutId, action, outcomes, unreachable, clock.instant());
    }
}
