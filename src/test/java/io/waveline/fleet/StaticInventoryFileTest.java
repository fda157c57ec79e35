package io.waveline.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.waveline.plan.PlanError;

class StaticInventoryFileTest {

    @Test
    void nodesAreReadWithAllTheirFacts() throws Exception {
        List<FleetNode> nodes = StaticInventoryFile.parse("fleet.yaml", """
                nodes:
                  - name: gpu-h100-001
                    address: 10.0.1.11
                    port: 2222
                    user: waveline
                    labels: {pool: h100, rack: r01, nvlink-domain: nvl-01}
                    gpu: {vendor: nvidia, model: H100-SXM5-80GB, count: 8, nvswitch: true}
                    versions: {nvidia-driver: 550.127.05, nvidia-fabricmanager: 550.127.05}
                  - name: gpu-l40s-001
                    available: false
                """, "static");
        assertThat(nodes).hasSize(2);
        FleetNode h100 = nodes.get(0);
        assertThat(h100.address()).isEqualTo("10.0.1.11");
        assertThat(h100.sshPort()).isEqualTo(2222);
        assertThat(h100.labels()).containsEntry("nvlink-domain", "nvl-01");
        assertThat(h100.gpuCount()).isEqualTo(8);
        assertThat(h100.nvswitch()).isTrue();
        assertThat(h100.versions()).containsEntry("nvidia-fabricmanager", "550.127.05");
        assertThat(nodes.get(1).available()).isFalse();
        assertThat(nodes.get(1).address()).isEqualTo("gpu-l40s-001");
    }

    @Test
    void everyProblemIsReportedWithLineAndField() {
        assertThatThrownBy(() -> StaticInventoryFile.parse("fleet.yaml", """
                nodes:
                  - name: gpu-1
                    gpu: {count: 9000, vendr: nvidia}
                  - name: gpu-1
                    labels: {rack: "r 01"}
                """, "static")).isInstanceOfSatisfying(InventoryException.class, e -> {
                    assertThat(e.problems()).extracting(PlanError::path).containsExactly("nodes[0].gpu.count",
                            "nodes[0].gpu.vendr", "nodes[1].labels.rack", "nodes[1].name");
                    assertThat(e.problems()).extracting(PlanError::line).containsExactly(3, 3, 5, 4);
                    assertThat(e.problems().get(1).message()).startsWith("unknown field (did you mean \"vendor\"?)");
                    assertThat(e.problems().get(3).message()).contains("is listed twice");
                });
    }
}
