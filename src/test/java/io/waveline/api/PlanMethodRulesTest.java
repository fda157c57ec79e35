package io.waveline.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * The method/component rules are the plan validator's: {@code POST /api/v1/plans/validate} refuses each with its
 * line, column and field (the same review that {@code POST /api/v1/rollouts} applies, so both always agree).
 */
@QuarkusTest
class PlanMethodRulesTest {

    static String plan(String components, String method) {
        return """
                apiVersion: waveline/v1
                kind: RolloutPlan
                metadata:
                  name: rules
                spec:
                  target:
                    nodes: [gpu-h100-01]
                    components:
                """ + components.indent(6) + """
                  method:
                """ + method.indent(4) + """
                  waves:
                    - name: all
                      size: rest
                  failurePolicy:
                    onFailure: halt
                """;
    }

    static ValidatableResponse refused(String yaml) {
        return given().body(yaml).queryParam("file", "rules.yaml").when().post("/api/v1/plans/validate").then().statusCode(422)
                .body("errors", hasSize(1)).body("errors[0].file", equalTo("rules.yaml"));
    }

    @Test
    void redfishMovesFirmwareOnly() {
        refused(plan("bios: \"2.19.1\"\nnvidia-driver: \"570.133.20\"", "type: redfish\nimageUri: https://images.example/{component}-{version}.bin"))
                .body("errors[0].line", equalTo(10)).body("errors[0].column", equalTo(22))
                .body("errors[0].path", equalTo("spec.target.components.nvidia-driver"))
                .body("errors[0].message", containsString("the redfish method moves firmware"));
    }

    @Test
    void redfishNeedsExactlyOneImageSource() {
        refused(plan("bios: \"2.19.1\"", "type: redfish\nimageUri: https://images.example/{component}-{version}.bin\n"
                + "imageFile: /srv/firmware/{component}-{version}.bin"))
                .body("errors[0].line", equalTo(13)).body("errors[0].column", equalTo(16))
                .body("errors[0].path", equalTo("spec.method.imageFile"))
                .body("errors[0].message", containsString("not both"));
        refused(plan("bios: \"2.19.1\"", "type: redfish"))
                .body("errors[0].line", equalTo(11)).body("errors[0].path", equalTo("spec.method.type"))
                .body("errors[0].message", containsString("needs one of method.imageUri"));
    }

    @Test
    void hostToolFirmwareIsNotMixedWithDrivers() {
        refused(plan("gpu-firmware: \"96.00.9F.00.01\"\nnvidia-driver: \"570.133.20\"",
                "type: ssh\nfirmwareImage: /srv/firmware/{component}-{version}.bin"))
                .body("errors[0].line", equalTo(10)).body("errors[0].path", equalTo("spec.target.components.nvidia-driver"))
                .body("errors[0].message", containsString("roll drivers out in a plan of their own"));
    }

    @Test
    void sshInstallsDriversOnlyAndPointsAtTheFirmwareMethods() {
        refused(plan("nic-firmware: \"28.41.1000\"", "type: ssh"))
                .body("errors[0].line", equalTo(9)).body("errors[0].path", equalTo("spec.target.components.nic-firmware"))
                .body("errors[0].message", containsString("method.firmwareImage"));
    }

    @Test
    void gpuOperatorMovesTheDriverOnlyInNvidiaDriverMode() {
        refused(plan("nvidia-driver: \"570.133.20\"\nnvidia-fabricmanager: \"570.133.20\"", "type: gpu-operator"))
                .body("errors[0].path", equalTo("spec.target.components.nvidia-fabricmanager"))
                .body("errors[0].message", containsString("the gpu-operator method moves nvidia-driver only"));
        refused(plan("nvidia-driver: \"570.133.20\"", "type: gpu-operator\nmode: clusterpolicy"))
                .body("errors[0].line", equalTo(12)).body("errors[0].column", equalTo(11))
                .body("errors[0].path", equalTo("spec.method.mode"))
                .body("errors[0].message", containsString("mode: clusterpolicy"));
    }

    @Test
    void gpuOperatorNeedsKubernetesNodes() {
        refused(plan("nvidia-driver: \"570.133.20\"", "type: gpu-operator").replace("gpu-h100-01", "gpu-l40s-01"))
                .body("errors[0].line", equalTo(11)).body("errors[0].path", equalTo("spec.method.type"))
                .body("errors[0].message", containsString("needs Kubernetes nodes"))
                .body("errors[0].message", containsString("not in the cluster: gpu-l40s-01"));
    }

    @Test
    void credentialsReferencesMustNameKnownCredentials() {
        refused(plan("bios: \"2.19.1\"", "type: redfish\nimageUri: https://images.example/{component}-{version}.bin\n"
                + "credentialsRef: nobody-lab"))
                .body("errors[0].line", equalTo(13)).body("errors[0].path", equalTo("spec.method.credentialsRef"))
                .body("errors[0].message", containsString("waveline.redfish.credentials.nobody-lab.password"));
        refused(plan("bios: \"2.19.1\"", "type: redfish\nimageUri: https://images.example/{component}-{version}.bin\n"
                + "credentialsRef: Lab_BMC"))
                .body("errors[0].path", equalTo("spec.method.credentialsRef"))
                .body("errors[0].message", containsString("lower-case letters"));
        given().body(plan("bios: \"2.19.1\"", "type: redfish\nimageUri: https://images.example/{component}-{version}.bin\n"
                + "credentialsRef: sim-lab")).when().post("/api/v1/plans/validate").then().statusCode(200).body("valid", equalTo(true));
    }

    @Test
    void startRefusesWhatValidateRefusesWithTheSameErrors() {
        given().contentType("application/json").body(java.util.Map.of("planYaml", plan("nic-firmware: \"28.41.1000\"", "type: ssh")))
                .when().post("/api/v1/rollouts").then().statusCode(422)
                .body("errors[0].path", equalTo("spec.target.components.nic-firmware"));
    }
}
