package io.waveline.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.Yaml;

import io.waveline.rollout.port.CheckOutcome;
import io.waveline.upgrade.FirmwareTools;
import io.waveline.upgrade.PackageManager;

/**
 * Every parser on every published real output under {@code src/test/resources/real/<tool>/}: each sample is stored
 * verbatim ({@code <name>.txt}) beside a sidecar ({@code <name>.yaml}) naming its source, how certain that source is,
 * what it shows, and the verdict and figures a user must see.
 */
class RealOutputsTest {

    static final Path ROOT = Path.of("src/test/resources/real");

    record Sample(Path text, Map<String, Object> sidecar) {
        @Override
        public String toString() {
            return ROOT.relativize(text).toString();
        }

        String output() throws IOException {
            return Files.readString(text, StandardCharsets.UTF_8);
        }

        String get(String key) {
            Object value = sidecar.get(key);
            return value == null ? null : value.toString();
        }
    }

    static Stream<Sample> samples() throws IOException {
        try (Stream<Path> files = Files.walk(ROOT)) {
            return files.filter(f -> f.toString().endsWith(".txt")).sorted().map(RealOutputsTest::sample).toList().stream();
        }
    }

    private static Sample sample(Path text) {
        Path sidecar = text.resolveSibling(text.getFileName().toString().replaceFirst("\\.txt$", ".yaml"));
        try {
            Map<String, Object> values = new Yaml().load(Files.readString(sidecar));
            return new Sample(text, values);
        } catch (IOException e) {
            throw new AssertionError(text + " has no sidecar " + sidecar, e);
        }
    }

    @Test
    void everySampleNamesItsSourceAndWhatItShows() throws IOException {
        List<Sample> all = samples().toList();
        assertThat(all).hasSizeGreaterThanOrEqualTo(45);
        assertThat(all).allSatisfy(s -> assertThat(s.sidecar()).as(s.toString()).containsKeys("parser", "source", "certainty", "shows"));
        try (Stream<Path> files = Files.walk(ROOT)) {
            assertThat(files.filter(f -> f.toString().endsWith(".yaml"))).allSatisfy(y -> assertThat(
                    y.resolveSibling(y.getFileName().toString().replaceFirst("\\.yaml$", ".txt"))).as("the sample of " + y).exists());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void theParserReadsTheRealOutputAsAUserMust(Sample sample) throws IOException {
        String output = sample.output();
        switch (sample.get("parser")) {
            case "xid" -> {
                CheckOutcome outcome = XidScan.evaluate(output, XidScan.DEFAULT_FATAL);
                verdict(sample, outcome);
                assertThat(outcome.figures().get("xids")).as("XID numbers").isEqualTo(sample.sidecar().get("xids"));
                if (sample.sidecar().containsKey("fallenOffTheBus")) {
                    assertThat(outcome.figures().get("fallenOffTheBus")).isEqualTo(sample.sidecar().get("fallenOffTheBus"));
                }
            }
            case "nvlink" -> {
                CheckOutcome outcome = NvlinkStatus.evaluate(0, output, Optional.empty());
                verdict(sample, outcome);
                assertThat(outcome.figures().get("linksUp")).as("links up").isEqualTo(sample.sidecar().get("linksUp"));
                for (String key : List.of("down", "allInactive")) {
                    if (sample.sidecar().containsKey(key)) {
                        assertThat(outcome.figures().get(key)).as(key).isEqualTo(sample.sidecar().get(key));
                    }
                }
            }
            case "fabric-manager" -> verdict(sample, FabricManagerCheck.evaluate(sample.get("active"), sample.get("fmVersion"), output,
                    Optional.empty()));
            case "nvidia-smi" -> {
                NvidiaSmiQuery.Result result = NvidiaSmiQuery.parse(Integer.parseInt(sample.get("exit")), output);
                assertThat(result.failure()).as("nvidia-smi's failure is recognised").isPresent();
                verdict(sample, NvidiaSmiQuery.failure(result, output));
            }
            case "nccl" -> {
                CheckOutcome outcome = NcclAllReduce.evaluate(output, Double.parseDouble(sample.get("threshold")));
                verdict(sample, outcome);
                assertThat(outcome.figures().get("busbwGBps")).as("bus bandwidth of the largest message")
                        .isEqualTo(Double.parseDouble(sample.get("busbwGBps")));
            }
            case "dcgm-diag" -> verdict(sample, DcgmDiag.evaluate(Integer.parseInt(sample.get("exit")), output, false));
            case "amd-smi" -> {
                @SuppressWarnings("unchecked")
                Map<String, String> expected = (Map<String, String>) sample.sidecar().get("expected");
                int exit = Integer.parseInt(sample.get("exit"));
                CheckOutcome outcome = sample.sidecar().containsKey("rocmSmi")
                        ? AmdSmiVersion.evaluate(exit, output, 0, sample.get("rocmSmi"), expected)
                        : AmdSmiVersion.evaluate(exit, output, expected);
                assertThat(AmdSmiVersion.lacksDriverVersion(exit, output)).as("asks rocm-smi too")
                        .isEqualTo(sample.sidecar().containsKey("rocmSmi"));
                verdict(sample, outcome);
                assertThat(outcome.figures().get("amdgpu")).isEqualTo(sample.get("amdgpu"));
            }
            case "mlxfwmanager" -> {
                assertThat(FirmwareTools.parseMlxfwmanager(output)).as("burned (installed)").containsEntry("nic-firmware", sample.get("burned"));
                assertThat(FirmwareTools.parseMlxfwmanagerRunning(output)).as("running").containsEntry("nic-firmware", sample.get("running"));
            }
            case "dpkg-query" -> assertThat(PackageManager.APT.parseInstalled(output)).isEqualTo(sample.sidecar().get("versions"));
            case "rpm" -> assertThat(PackageManager.DNF.parseInstalled(output)).isEqualTo(sample.sidecar().get("versions"));
            default -> throw new AssertionError("no parser named " + sample.get("parser") + " in " + sample);
        }
    }

    /**
     * DCGM 3.1 and older key results by {@code gpu_ids}: a failure names the GPU (it said "GPU ?" before). Derived from the
     * real 3.1.0 sample by turning GPU 3's software result into a failure, the only change.
     */
    @Test
    void aDcgmFailureKeyedByGpuIdsNamesTheGpu() throws IOException {
        String real = Files.readString(ROOT.resolve("dcgm-diag/dcgm-3.1.0-eight-gpus-pass.txt"));
        String gpu3 = "\"gpu_ids\" : 3,\n\t\t\t\t\t\t\t\t\"status\" : \"PASS\"";
        assertThat(real).contains(gpu3);
        CheckOutcome outcome = DcgmDiag.evaluate(226, real.replace(gpu3, gpu3.replace("PASS", "FAIL")), false);
        assertThat(outcome.status().name()).isEqualTo("FAIL");
        assertThat(outcome.summary()).isEqualTo("DCGM diagnostic failed: software on GPU 3");
    }

    private static void verdict(Sample sample, CheckOutcome outcome) {
        assertThat(outcome.status().name()).as("verdict: " + outcome.summary()).isEqualTo(sample.get("verdict"));
        assertThat(outcome.cause().name()).as("cause: " + outcome.summary()).isEqualTo(sample.get("cause"));
    }
}
