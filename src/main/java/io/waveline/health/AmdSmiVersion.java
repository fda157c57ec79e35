package io.waveline.health;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.rollout.port.CheckStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The {@code amd-smi} check: {@code amd-smi version --json} answers
 * {@code [{"tool": "AMDSMI Tool", "version": …, "amdsmi_library_version": …, "rocm_version": "7.0.2",
 * "amdgpu_version": "6.16.6", …}]}; hosts with only the older tool answer {@code rocm-smi --showdriverversion --json}
 * with {@code {"system": {"Driver version": "6.7.0"}}}. Before ROCm 6.3, {@code amd-smi version --json} has no
 * {@code amdgpu_version} (its source printed only the tool, library and ROCm versions): the driver's version then
 * comes from {@code rocm-smi} ({@link #evaluate(int, String, int, String, Map)}). Pass: the tool answers and the amdgpu driver (and ROCm,
 * where reported) equal the versions the node should run ({@code amdgpu-driver}, {@code rocm}). Pure; never throws.
 */
public final class AmdSmiVersion {

    public static final String AMD_SMI = "amd-smi version --json";
    public static final String ROCM_SMI = "rocm-smi --showdriverversion --json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The versions read, or why none could be. */
    public record Versions(Optional<String> amdgpu, Optional<String> rocm, Optional<String> problem) {
    }

    private AmdSmiVersion() {
    }

    public static Versions parse(int exitStatus, String output) {
        int start = firstJson(output);
        if (exitStatus != 0 || start < 0) {
            return new Versions(Optional.empty(), Optional.empty(), Optional.of("exit " + exitStatus + ": "
                    + output.lines().findFirst().orElse("(no output)").strip()));
        }
        try {
            JsonNode root = JSON.readTree(output.substring(start));
            if (root.isArray() && !root.isEmpty()) {
                JsonNode tool = root.get(0);
                return new Versions(text(tool, "amdgpu_version"), text(tool, "rocm_version"),
                        text(tool, "amdgpu_version").isEmpty() ? Optional.of("no amdgpu_version in amd-smi output") : Optional.empty());
            }
            if (root.isObject() && root.path("system").isObject()) {
                Optional<String> driver = text(root.get("system"), "Driver version");
                return new Versions(driver, Optional.empty(), driver.isEmpty() ? Optional.of("no \"Driver version\" in rocm-smi output")
                        : Optional.empty());
            }
            return new Versions(Optional.empty(), Optional.empty(), Optional.of("neither amd-smi nor rocm-smi JSON"));
        } catch (Exception e) {
            return new Versions(Optional.empty(), Optional.empty(), Optional.of("unreadable JSON: " + e.getClass().getSimpleName()));
        }
    }

    /** Whether {@code amd-smi version --json} answered without the driver's version (before ROCm 6.3): ask rocm-smi too. */
    public static boolean lacksDriverVersion(int exitStatus, String output) {
        Versions versions = parse(exitStatus, output);
        return versions.amdgpu().isEmpty() && versions.rocm().isPresent();
    }

    /** amd-smi's ROCm version with rocm-smi's driver version, for hosts whose amd-smi does not report the driver. */
    public static CheckOutcome evaluate(int amdExit, String amdOutput, int rocmExit, String rocmOutput, Map<String, String> expected) {
        Versions amd = parse(amdExit, amdOutput);
        Versions rocm = parse(rocmExit, rocmOutput);
        return evaluate(new Versions(rocm.amdgpu(), amd.rocm(), rocm.problem()), amdOutput + rocmOutput, expected);
    }

    public static CheckOutcome evaluate(int exitStatus, String output, Map<String, String> expected) {
        return evaluate(parse(exitStatus, output), output, expected);
    }

    private static CheckOutcome evaluate(Versions versions, String output, Map<String, String> expected) {
        if (versions.problem().isPresent()) {
            return new CheckOutcome("amd-smi", CheckStatus.ERROR, "AMD tools unreadable (" + versions.problem().get() + ")",
                    CheckOutcome.Cause.NONE, Map.of(), output);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        versions.amdgpu().ifPresent(v -> figures.put("amdgpu", v));
        versions.rocm().ifPresent(v -> figures.put("rocm", v));
        String amdgpu = versions.amdgpu().orElse("unknown");
        String wantedDriver = expected.get("amdgpu-driver");
        if (wantedDriver != null && !wantedDriver.equals(amdgpu)) {
            return CheckOutcome.fail("amd-smi", CheckOutcome.Cause.DRIVER, "amdgpu driver " + amdgpu + ", expected " + wantedDriver,
                    figures, output);
        }
        String wantedRocm = expected.get("rocm");
        if (wantedRocm != null && versions.rocm().isPresent() && !versions.rocm().get().equals(wantedRocm)) {
            return CheckOutcome.fail("amd-smi", CheckOutcome.Cause.DRIVER, "ROCm " + versions.rocm().get() + ", expected "
                    + wantedRocm, figures, output);
        }
        return CheckOutcome.pass("amd-smi", "amdgpu " + amdgpu + versions.rocm().map(r -> ", ROCm " + r).orElse(""), figures, output);
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isValueNode() || value.asText().isBlank() ? Optional.empty() : Optional.of(value.asText());
    }

    private static int firstJson(String output) {
        int brace = output.indexOf('{');
        int bracket = output.indexOf('[');
        if (brace < 0) {
            return bracket;
        }
        return bracket < 0 ? brace : Math.min(brace, bracket);
    }
}
