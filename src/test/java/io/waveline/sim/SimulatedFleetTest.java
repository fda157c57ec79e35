package io.waveline.sim;

import io.waveline.fleet.FleetNode;
import io.waveline.fleet.InventoryException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.waveline.plan.PlanError;

class SimulatedFleetTest {

    @Test
    void theDemoFleetShipsWithWaveline() {
        Map<String, FleetNode> nodes = new SimulatedFleet().load().stream()
                .collect(Collectors.toMap(FleetNode::name, Function.identity()));
        assertThat(nodes).hasSize(34);
        FleetNode h100 = nodes.get("gpu-h100-06");
        assertThat(h100.labels()).containsEntry("pool", "h100").containsEntry("rack", "r02")
                .containsEntry("nvlink-domain", "nvl-r02").containsEntry("power-feed", "pdu-r02").containsEntry("zone", "b");
        assertThat(h100.gpuCount()).isEqualTo(8);
        assertThat(h100.nvswitch()).isTrue();
        assertThat(h100.versions()).containsEntry("nvidia-driver", "550.127.05").containsEntry("nvidia-fabricmanager", "550.127.05");
        assertThat(nodes.get("gpu-a100-07").versions()).containsEntry("nvidia-driver", "550.127.05");
        assertThat(nodes.get("gpu-a100-06").versions()).containsEntry("nvidia-driver", "535.216.01");
        assertThat(nodes.get("gpu-l40s-03").available()).isFalse();
        assertThat(nodes.get("gpu-l40s-05").versions()).containsEntry("nvidia-driver", "570.133.20");
        assertThat(nodes.get("gpu-mi300x-03").labels()).containsEntry("nvlink-domain", "xgmi-2");
        assertThat(nodes.get("gpu-mi300x-03").gpuVendor()).isEqualTo("amd");
    }

    @Test
    void aLargeFleetIsAFewLines() throws Exception {
        List<FleetNode> nodes = SimulatedFleet.parse("big.yaml", """
                groups:
                  - name: gpu
                    count: 1000
                    racks: [r01, r02, r03, r04, r05, r06, r07, r08, r09, r10]
                    labels: {pool: h100}
                    gpu: {model: H100-SXM5-80GB, count: 8, nvswitch: true}
                    versions: {nvidia-driver: 550.127.05, nvidia-fabricmanager: 550.127.05}
                """);
        assertThat(nodes).hasSize(1000);
        assertThat(nodes.get(0).name()).isEqualTo("gpu-0001");
        assertThat(nodes.get(999).labels()).containsEntry("rack", "r10");
    }

    @Test
    void timingsAndFaultRulesComeWithTheFleet() throws Exception {
        SimulatedFleet.Spec spec = SimulatedFleet.parseSpec("f.yaml", """
                groups:
                  - name: gpu
                    count: 1
                timings: {install: 3s, reboot: 1m}
                faults:
                  - when: "575.51.02"
                    fault: gpu-missing
                  - when: "*@gpu-01"
                    fault: flaky-ssh
                """);
        assertThat(spec.installDuration()).contains("3s");
        assertThat(spec.rebootDuration()).contains("1m");
        assertThat(spec.faults()).containsExactly("575.51.02:gpu-missing", "*@gpu-01:flaky-ssh");
        assertThat(new SimulatedFleet().spec().faults()).containsExactly("575.51.02:gpu-missing");
        assertThatThrownBy(() -> SimulatedFleet.parseSpec("f.yaml", "faults:\n  - when: x\n    fault: melts\n"))
                .hasMessageContaining("\"melts\" is not a fault");
    }

    @Test
    void mistakesAreLocated() {
        assertThatThrownBy(() -> SimulatedFleet.parse("fleet.yaml", """
                groups:
                  - name: gpu
                    count: 2
                    gpu: {count: lots}
                    versions: {nvidia-drvier: 550.127.05}
                """)).isInstanceOfSatisfying(InventoryException.class, e -> {
                    assertThat(e.problems()).extracting(PlanError::line).contains(4, 5);
                    assertThat(e.problems()).extracting(PlanError::path).contains("groups[0].gpu.count",
                            "groups[0].versions.nvidia-drvier");
                });
    }
}
