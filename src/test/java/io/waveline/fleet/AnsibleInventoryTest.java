package io.waveline.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.waveline.plan.PlanError;

class AnsibleInventoryTest {

    static final String INI = """
            # GPU fleet
            bastion-01 ansible_host=10.0.0.2

            [all:vars]
            ansible_user=ops
            gpu_model=unknown

            [h100]
            gpu-h100-[01:03] rack=r01 nvidia_driver_version=550.127.05
            gpu-h100-04 ansible_host=10.0.1.4 ansible_port=2222 rack=r02 nvidia_driver_version="550.127.05"

            [h100:vars]
            gpu_model=H100-SXM5-80GB
            gpu_count=8
            nvswitch=true
            pool=h100
            nvidia_fabricmanager_version=550.127.05

            [canary]
            gpu-h100-01 ansible_user=canary gpu_model=H100-SXM5-80GB-canary

            [gpu:children]
            h100
            canary

            [gpu:vars]
            zone=a
            power_feed=pdu-1
            """;

    static Map<String, FleetNode> byName(List<FleetNode> nodes) {
        return nodes.stream().collect(Collectors.toMap(FleetNode::name, Function.identity()));
    }

    @Test
    void iniInventoryGivesHostsWithGroupLabelsAndVariables() throws Exception {
        Map<String, FleetNode> nodes = byName(AnsibleInventory.parse("hosts.ini", INI, "ansible:hosts.ini"));
        assertThat(nodes.keySet()).containsExactlyInAnyOrder("bastion-01", "gpu-h100-01", "gpu-h100-02",
                "gpu-h100-03", "gpu-h100-04");

        FleetNode four = nodes.get("gpu-h100-04");
        assertThat(four.address()).isEqualTo("10.0.1.4");
        assertThat(four.sshPort()).isEqualTo(2222);
        assertThat(four.sshUser()).isEqualTo("ops");
        assertThat(four.gpuModel()).isEqualTo("H100-SXM5-80GB");
        assertThat(four.gpuCount()).isEqualTo(8);
        assertThat(four.nvswitch()).isTrue();
        assertThat(four.versions()).containsEntry("nvidia-driver", "550.127.05")
                .containsEntry("nvidia-fabricmanager", "550.127.05");
        assertThat(four.labels()).containsEntry("rack", "r02").containsEntry("pool", "h100").containsEntry("zone", "a")
                .containsEntry("power-feed", "pdu-1").containsEntry("group/h100", "true")
                .containsEntry("group/gpu", "true").doesNotContainKey("group/canary");

        FleetNode two = nodes.get("gpu-h100-02");
        assertThat(two.address()).as("no ansible_host: the name is the address").isEqualTo("gpu-h100-02");
        assertThat(two.sshPort()).isEqualTo(22);
        assertThat(two.labels()).containsEntry("rack", "r01");
    }

    @Test
    void hostVariablesWinOverGroupsAndChildGroupsOverParents() throws Exception {
        Map<String, FleetNode> nodes = byName(AnsibleInventory.parse("hosts.ini", INI, "ansible"));
        FleetNode canary = nodes.get("gpu-h100-01");
        assertThat(canary.sshUser()).isEqualTo("canary");
        assertThat(canary.gpuModel()).isEqualTo("H100-SXM5-80GB-canary");
        assertThat(canary.labels()).containsEntry("group/canary", "true").containsEntry("group/h100", "true");
        assertThat(nodes.get("bastion-01").gpuModel()).as("all:vars apply to ungrouped hosts").isEqualTo("unknown");
        assertThat(nodes.get("bastion-01").labels()).isEmpty();
    }

    @Test
    void yamlInventoryIsReadTheSameWay() throws Exception {
        String yaml = """
                all:
                  vars:
                    ansible_user: ops
                  children:
                    gpu:
                      vars:
                        zone: b
                      children:
                        a100:
                          hosts:
                            gpu-a100-[01:02]:
                              rack: r05
                            gpu-a100-03:
                              ansible_host: 10.0.2.3
                              ansible_port: 2200
                              rack: r06
                              nvidia_driver_version: 535.216.01
                              extra_disks: [sdb, sdc]
                          vars:
                            gpu_model: A100-SXM4-80GB
                            gpu_count: 8
                            waveline_label_nvlink-domain: nvl-a
                """;
        Map<String, FleetNode> nodes = byName(AnsibleInventory.parse("hosts.yml", yaml, "ansible"));
        assertThat(nodes).containsOnlyKeys("gpu-a100-01", "gpu-a100-02", "gpu-a100-03");
        FleetNode three = nodes.get("gpu-a100-03");
        assertThat(three.address()).isEqualTo("10.0.2.3");
        assertThat(three.sshPort()).isEqualTo(2200);
        assertThat(three.sshUser()).isEqualTo("ops");
        assertThat(three.gpuModel()).isEqualTo("A100-SXM4-80GB");
        assertThat(three.versions()).containsEntry("nvidia-driver", "535.216.01");
        assertThat(three.labels()).containsEntry("rack", "r06").containsEntry("zone", "b")
                .containsEntry("nvlink-domain", "nvl-a").containsEntry("group/a100", "true")
                .containsEntry("group/gpu", "true");
        assertThat(nodes.get("gpu-a100-01").labels()).containsEntry("rack", "r05");
    }

    @Test
    void badValuesAreReportedWithTheirLine() {
        String ini = """
                [h100]
                gpu-01 ansible_port=99999
                gpu-02 gpu_count=eight
                gpu-03 nvidia_driver_version=550;reboot
                """;
        assertThatThrownBy(() -> AnsibleInventory.parse("hosts.ini", ini, "ansible"))
                .isInstanceOfSatisfying(InventoryException.class, e -> {
                    assertThat(e.problems()).extracting(PlanError::line).containsExactly(2, 3, 4);
                    assertThat(e.problems().get(0).message()).isEqualTo("\"99999\" is not a whole number from 1 to 65535");
                    assertThat(e.problems().get(1).path()).isEqualTo("gpu-02 gpu_count");
                    assertThat(e.problems().get(2).message()).startsWith("\"550;reboot\" is not a valid version");
                });
    }

    @Test
    void brokenSectionHeaderAndRangeAreExplained() {
        String ini = """
                [h100
                gpu-[10:01]
                """;
        assertThatThrownBy(() -> AnsibleInventory.parse("hosts", ini, "ansible"))
                .isInstanceOfSatisfying(InventoryException.class, e -> {
                    assertThat(e.problems()).extracting(PlanError::line).containsExactly(1, 2);
                    assertThat(e.problems().get(0).message()).contains("is not a section header");
                    assertThat(e.problems().get(1).message()).contains("is not a valid host range");
                });
    }

    @Test
    void alphabeticRangesExpand() throws Exception {
        List<FleetNode> nodes = AnsibleInventory.parse("hosts.ini", "[x]\nrack-[a:c]-gpu\n", "ansible");
        assertThat(nodes).extracting(FleetNode::name).containsExactly("rack-a-gpu", "rack-b-gpu", "rack-c-gpu");
    }
}
