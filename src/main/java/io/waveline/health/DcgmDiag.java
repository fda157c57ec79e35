package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The {@code dcgm-diag} check: {@code dcgmi diag -r <level> -j}. Reads both JSON shapes (gpu-health.md): DCGM
 * 4.x ({@code "DCGM Diagnostic"} → {@code test_categories[].tests[]} with {@code results[]} per GPU) and 3.x
 * ({@code "DCGM GPU Diagnostic"} → categories with {@code results[].status} and {@code gpu_id}; 2.x the same with
 * {@code gpu_ids}), starting at the
 * first {@code {}. Exit 226 means the diagnostic found an error, 205 an error that needs the GPU isolated, 254 an
 * exception. A failure in the deployment (software) category points at the driver, others at the hardware.
 * Warnings pass unless the plan disallows them. Pure; garbage gives an ERROR outcome.
 */
public final class DcgmDiag {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DcgmDiag() {
    }

    public static String command(int level) {
        if (level < 1 || level > 4) {
            throw new IllegalArgumentException("DCGM diagnostic levels are 1 to 4, not " + level);
        }
        return "dcgmi diag -r " + level + " -j";
    }

    public static CheckOutcome evaluate(int exitStatus, String output, boolean allowWarn) {
        int start = output.indexOf('{');
        if (exitStatus == 254 || exitStatus > 128 && exitStatus != 205 && exitStatus != 226) {
            return error("dcgmi diag ended with " + exitStatus + (exitStatus > 128 && exitStatus != 254
                    ? " (killed by signal " + (exitStatus - 128) + ")" : " (exception)"), output);
        }
        if (start < 0) {
            return error("dcgmi diag printed no JSON (exit " + exitStatus + ")", output);
        }
        JsonNode root;
        try {
            root = JSON.readTree(output.substring(start));
        } catch (Exception e) {
            return error("dcgmi diag printed JSON that cannot be read (truncated?)", output);
        }
        JsonNode diagnostic = root.has("DCGM Diagnostic") ? root.get("DCGM Diagnostic") : root.get("DCGM GPU Diagnostic");
        if (diagnostic == null || !diagnostic.path("test_categories").isArray()) {
            return error("dcgmi diag JSON has neither \"DCGM Diagnostic\" nor \"DCGM GPU Diagnostic\" test categories", output);
        }
        List<String> failed = new ArrayList<>();
        List<String> warned = new ArrayList<>();
        boolean hardware = false;
        for (JsonNode category : diagnostic.get("test_categories")) {
            String categoryName = category.path("category").asText("");
            for (JsonNode test : category.path("tests")) {
                String name = test.path("name").asText("?");
                for (JsonNode result : test.path("results")) {
                    String status = result.path("status").asText("");
                    String gpu = gpuOf(result);
                    if (status.equalsIgnoreCase("Fail")) {
                        failed.add(name + " on GPU " + gpu);
                        hardware |= !categoryName.equalsIgnoreCase("Deployment") && !name.equalsIgnoreCase("software");
                    } else if (status.equalsIgnoreCase("Warn")) {
                        warned.add(name + " on GPU " + gpu);
                    }
                }
            }
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("failed", failed);
        figures.put("warnings", warned);
        figures.put("exitStatus", exitStatus);
        if (!failed.isEmpty() || exitStatus == 226 || exitStatus == 205) {
            String what = failed.isEmpty() ? "exit " + exitStatus + " with no failing test in the JSON" : String.join(", ", failed);
            return CheckOutcome.fail("dcgm-diag", hardware || exitStatus == 205 ? CheckOutcome.Cause.HARDWARE
                    : CheckOutcome.Cause.DRIVER, "DCGM diagnostic failed: " + what, figures, output);
        }
        if (!warned.isEmpty()) {
            return new CheckOutcome("dcgm-diag", allowWarn ? CheckStatus.WARN : CheckStatus.FAIL,
                    "DCGM diagnostic warnings: " + String.join(", ", warned), allowWarn ? CheckOutcome.Cause.NONE
                            : CheckOutcome.Cause.HARDWARE, figures, output);
        }
        return CheckOutcome.pass("dcgm-diag", "DCGM diagnostic passed", figures, output);
    }

    /** The GPU a result is for: {@code entity_id} (4.x), {@code gpu_id} (3.x) or {@code gpu_ids} (2.x: a string or a list). */
    static String gpuOf(JsonNode result) {
        if (result.has("entity_id")) {
            return result.get("entity_id").asText();
        }
        if (result.has("gpu_id")) {
            return result.get("gpu_id").asText();
        }
        JsonNode ids = result.path("gpu_ids");
        if (ids.isArray()) {
            List<String> all = new ArrayList<>();
            ids.forEach(id -> all.add(id.asText()));
            return String.join(",", all);
        }
        return ids.isMissingNode() || ids.asText().isBlank() ? "?" : ids.asText();
    }

    private static CheckOutcome error(String summary, String output) {
        return new CheckOutcome("dcgm-diag", CheckStatus.ERROR, summary, CheckOutcome.Cause.NONE, Map.of(), output);
    }
}
