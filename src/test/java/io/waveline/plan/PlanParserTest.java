package io.waveline.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

class PlanParserTest {

    static final String VALID = """
            apiVersion: waveline/v1
            kind: RolloutPlan
            metadata:
              name: h100-driver-570
            spec:
              target:
                selector: "pool=h100"
                components:
                  nvidia-driver: "570.133.20"
                  nvidia-fabricmanager: "570.133.20"
              waves:
                - name: canary
                  size: 1
                  soak: 30m
                  approval: required
                - name: staged
                  size: "10%"
                  soak: 1h
                - name: fleet
                  size: rest
                  maxParallel: 4
              limits:
                maxUnavailable: 3
                failureDomains:
                  - labelKey: rack
                    maxUnavailable: 1
              checks:
                - name: nvidia-smi
                - name: dcgm-diag
                  level: 3
                  waves: [canary]
              estimates:
                gpuHourUsd: 2.49
            """;

    static PlanParseResult parse(String text) {
        return PlanParser.parse("plan.yaml", text);
    }

    /** The one error a broken plan gets, as the user reads it. */
    static PlanError onlyError(String text) {
        PlanParseResult result = parse(text);
        assertThat(result.valid()).as("plan should be rejected").isFalse();
        assertThat(result.plan()).isEmpty();
        assertThat(result.errors()).as(result.errors().toString()).hasSize(1);
        return result.errors().get(0);
    }

    @Test
    void validPlanIsReadWithDefaultsFilledIn() {
        PlanParseResult result = parse(VALID);
        assertThat(result.errors()).isEmpty();
        RolloutPlan plan = result.plan().orElseThrow();
        assertThat(plan.name()).isEqualTo("h100-driver-570");
        assertThat(plan.target().selector().orElseThrow().matches(java.util.Map.of("pool", "h100"))).isTrue();
        assertThat(plan.target().versionOf("nvidia-driver")).contains("570.133.20");
        assertThat(plan.waves()).extracting(WaveSpec::name).containsExactly("canary", "staged", "fleet");
        assertThat(plan.waves().get(0).size()).isEqualTo(new WaveSize.Count(1));
        assertThat(plan.waves().get(0).soak()).isEqualTo(Duration.ofMinutes(30));
        assertThat(plan.waves().get(0).approvalRequired()).isTrue();
        assertThat(plan.waves().get(1).size()).isEqualTo(new WaveSize.Percent(10));
        assertThat(plan.waves().get(2).size()).isEqualTo(new WaveSize.Rest());
        assertThat(plan.waves().get(2).maxParallel()).contains(4);
        assertThat(plan.limits().maxUnavailable()).isEqualTo(Quantity.count(3));
        assertThat(plan.limits().failureDomains()).containsExactly(new FailureDomainLimit("rack", 1));
        assertThat(plan.method().type()).isEqualTo(MethodSpec.Method.SSH);
        assertThat(plan.failurePolicy()).isEqualTo(FailurePolicy.defaults());
        assertThat(plan.checks().get(1).parameters()).containsEntry("level", 3);
        assertThat(plan.checks().get(1).appliesTo("staged")).isFalse();
        assertThat(plan.estimates().gpuHourUsd()).isEqualByComparingTo("2.49");
        assertThat(result.sha256()).hasSize(64);
    }

    @Test
    void everyShippedExamplePlanIsValid() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("rollout-plans"))) {
            List<Path> plans = files.filter(p -> p.toString().endsWith(".yaml")).toList();
            assertThat(plans).hasSizeGreaterThanOrEqualTo(3);
            for (Path file : plans) {
                PlanParseResult result = PlanParser.parse(file.getFileName().toString(), Files.readString(file));
                assertThat(result.errors()).as(file.toString()).isEmpty();
            }
        }
    }

    @Test
    void unknownFieldNamesLineAndSuggestsTheClosest() {
        PlanError error = onlyError(VALID.replace("      soak: 30m", "      soka: 30m"));
        assertThat(error.line()).isEqualTo(14);
        assertThat(error.column()).isEqualTo(7);
        assertThat(error.path()).isEqualTo("spec.waves[0].soka");
        assertThat(error.message()).startsWith("unknown field (did you mean \"soak\"?)");
        assertThat(error.toString()).startsWith("plan.yaml line 14, column 7: spec.waves[0].soka: unknown field");
    }

    @Test
    void waveShareOverOneHundredPercentIsRefused() {
        PlanError error = onlyError(VALID.replace("size: \"10%\"", "size: \"120%\""));
        assertThat(error.line()).isEqualTo(17);
        assertThat(error.path()).isEqualTo("spec.waves[1].size");
        assertThat(error.message()).isEqualTo("\"120%\" is over 100%; use a share from 1% to 100%");
    }

    @Test
    void sharesAddingUpToMoreThanTheWholeFleetAreRefused() {
        String text = VALID.replace("size: \"10%\"", "size: \"60%\"").replace("      size: rest", "      size: \"50%\"");
        PlanError error = onlyError(text);
        assertThat(error.path()).isEqualTo("spec.waves[2].size");
        assertThat(error.message()).contains("brings the waves' shares to 110%, over 100%");
    }

    @Test
    void restIsOnlyAllowedInTheLastWave() {
        PlanError error = onlyError(VALID.replace("size: \"10%\"", "size: rest"));
        assertThat(error.line()).isEqualTo(17);
        assertThat(error.message()).isEqualTo("rest takes every node left, so only the last wave may use it");
    }

    @Test
    void badWaveSizeSuggestsTheKeyword() {
        PlanError error = onlyError(VALID.replace("size: rest", "size: rets"));
        assertThat(error.path()).isEqualTo("spec.waves[2].size");
        assertThat(error.message()).contains("(did you mean \"rest\"?)");
    }

    @Test
    void badDurationSaysWhatIsAllowed() {
        PlanError error = onlyError(VALID.replace("soak: 1h", "soak: 1 hour"));
        assertThat(error.line()).isEqualTo(18);
        assertThat(error.path()).isEqualTo("spec.waves[1].soak");
        assertThat(error.message()).isEqualTo("\"1 hour\" is not a duration; write a duration such as 90s, 30m, 2h or 1h30m");
    }

    @Test
    void versionsAreCheckedAgainstTheSafePattern() {
        PlanParseResult result = parse(VALID.replace("\"570.133.20\"\n", "\"$(curl evil)\"\n"));
        assertThat(result.valid()).isFalse();
        assertThat(result.errors()).anySatisfy(e -> {
            assertThat(e.line()).isEqualTo(9);
            assertThat(e.path()).isEqualTo("spec.target.components.nvidia-driver");
            assertThat(e.message()).startsWith("\"$(curl evil)\" is not a valid version");
        });
    }

    @Test
    void fabricManagerMustMatchTheDriver() {
        PlanError error = onlyError(VALID.replace("nvidia-fabricmanager: \"570.133.20\"", "nvidia-fabricmanager: \"570.124.06\""));
        assertThat(error.line()).isEqualTo(10);
        assertThat(error.path()).isEqualTo("spec.target.components.nvidia-fabricmanager");
        assertThat(error.message()).contains("differs from nvidia-driver \"570.133.20\"");
    }

    @Test
    void unknownComponentSuggestsTheRightName() {
        PlanError error = onlyError(VALID.replace("nvidia-fabricmanager:", "nvidia-fabricmanger:"));
        assertThat(error.path()).isEqualTo("spec.target.components.nvidia-fabricmanger");
        assertThat(error.message()).startsWith("unknown component (did you mean \"nvidia-fabricmanager\"?)");
    }

    @Test
    void selectorSyntaxErrorPointsIntoTheSelector() {
        PlanError error = onlyError(VALID.replace("selector: \"pool=h100\"", "selector: \"pool=h100,rack in (r01\""));
        assertThat(error.line()).isEqualTo(7);
        assertThat(error.path()).isEqualTo("spec.target.selector");
        assertThat(error.message()).contains("at character 23").contains("the set ends with ')'");
    }

    @Test
    void duplicateWaveNamesAreRefused() {
        PlanError error = onlyError(VALID.replace("name: staged", "name: canary"));
        assertThat(error.line()).isEqualTo(16);
        assertThat(error.message()).isEqualTo("\"canary\" is already the name of spec.waves[0]; wave names must be unique");
    }

    @Test
    void checkForAWaveThatDoesNotExistIsRefused() {
        PlanError error = onlyError(VALID.replace("waves: [canary]", "waves: [canery]"));
        assertThat(error.line()).isEqualTo(31);
        assertThat(error.path()).isEqualTo("spec.checks[1].waves[0]");
        assertThat(error.message()).contains("is not a wave of this plan (did you mean \"canary\"?)");
    }

    @Test
    void unknownCheckListsTheCatalog() {
        PlanError error = onlyError(VALID.replace("- name: nvidia-smi", "- name: nvidia-smy"));
        assertThat(error.path()).isEqualTo("spec.checks[0].name");
        assertThat(error.message()).contains("(did you mean \"nvidia-smi\"?)").contains("dcgm-diag");
    }

    @Test
    void checkThresholdOutOfRangeIsRefused() {
        PlanError error = onlyError(VALID.replace("level: 3", "level: 7"));
        assertThat(error.line()).isEqualTo(30);
        assertThat(error.path()).isEqualTo("spec.checks[1].level");
        assertThat(error.message()).isEqualTo("\"7\" is out of range; use a whole number from 1 to 4");
    }

    @Test
    void sameCheckTwiceInOneWaveIsRefused() {
        PlanError error = onlyError(VALID.replace("  estimates:", "    - name: nvidia-smi\n      waves: [fleet]\n  estimates:"));
        assertThat(error.path()).isEqualTo("spec.checks[2].name");
        assertThat(error.message()).contains("\"nvidia-smi\" already runs in wave fleet (spec.checks[0])");
    }

    @Test
    void zeroMaxUnavailableIsRefused() {
        PlanError error = onlyError(VALID.replace("maxUnavailable: 3", "maxUnavailable: 0"));
        assertThat(error.line()).isEqualTo(23);
        assertThat(error.message()).contains("use a count of at least 1 or a share from 1% to 100%");
    }

    static final String POWER = "    power:\n      rackBudgetKw: 40\n      nodeDrawKw: 10\n      nodeDrawKwByModel:\n"
            + "        L40S: 2.5\n";

    @Test
    void rackPowerBudgetAndWaveChecksAreRead() {
        PlanParseResult result = parse(VALID.replace("  checks:\n", POWER + "  checks:\n")
                + "  waveChecks:\n    xid: false\n");
        assertThat(result.errors()).isEmpty();
        RolloutPlan plan = result.plan().orElseThrow();
        PowerBudget power = plan.limits().power().orElseThrow();
        assertThat(power.rackLabel()).isEqualTo("rack");
        assertThat(power.rackBudgetKw()).isEqualTo(40);
        assertThat(power.drawOf(new NodeFacts("n1", java.util.Map.of(), "nvidia", "L40S", 4, false, java.util.Map.of(), true)))
                .isEqualTo(2.5);
        assertThat(plan.waveChecks().xid()).isFalse();
        assertThat(parse(VALID).plan().orElseThrow().waveChecks().xid()).as("the XID scan of a wave is on by default").isTrue();
        assertThat(parse(VALID).plan().orElseThrow().limits().power()).isEmpty();
    }

    @Test
    void multiNodeNcclOfAWaveIsReadAndCheckedAgainstTheWaves() {
        RolloutPlan plan = parse(VALID + "  waveChecks:\n    nccl:\n      minBusBandwidthGBps: 350\n      waves: [staged]\n")
                .plan().orElseThrow();
        assertThat(plan.waveChecks().nccl()).hasValueSatisfying(n -> {
            assertThat(n.minBusBandwidthGBps()).isEqualTo(350);
            assertThat(n.size()).isEqualTo("1G");
            assertThat(n.appliesTo("staged")).isTrue();
            assertThat(n.appliesTo("canary")).isFalse();
        });
        PlanError wave = onlyError(VALID + "  waveChecks:\n    nccl:\n      minBusBandwidthGBps: 350\n      waves: [stagd]\n");
        assertThat(wave.path()).isEqualTo("spec.waveChecks.nccl.waves[0]");
        assertThat(wave.message()).contains("did you mean \"staged\"?");
        PlanError size = onlyError(VALID + "  waveChecks:\n    nccl:\n      minBusBandwidthGBps: 350\n      size: \"1G;reboot\"\n");
        assertThat(size.path()).isEqualTo("spec.waveChecks.nccl.size");
        PlanError missing = onlyError(VALID + "  waveChecks:\n    nccl:\n      size: 2G\n");
        assertThat(missing.path()).isEqualTo("spec.waveChecks.nccl.minBusBandwidthGBps");
    }

    @Test
    void firmwareThatCannotGoBackMustHalt() {
        String firmware = VALID.replace("      nvidia-driver: \"570.133.20\"\n      nvidia-fabricmanager: \"570.133.20\"\n",
                "      bmc-firmware: \"1.12.0\"\n").replace("  waves:\n", "  method:\n    type: redfish\n"
                + "    imageUri: \"https://images.example/{component}-{version}.bin\"\n    rollback: none\n  waves:\n");
        PlanError error = onlyError(firmware + "  failurePolicy:\n    onFailure: rollback-wave\n");
        assertThat(error.path()).isEqualTo("spec.failurePolicy.onFailure");
        assertThat(error.message()).contains("method.rollback: none").contains("use onFailure: halt");
        assertThat(parse(firmware + "  failurePolicy:\n    onFailure: halt\n").errors()).isEmpty();
        String hostTools = VALID.replace("      nvidia-driver: \"570.133.20\"\n      nvidia-fabricmanager: \"570.133.20\"\n",
                "      gpu-firmware: \"96.00.9F.00.01\"\n").replace("  waves:\n", "  method:\n    type: ssh\n    firmwareImage: /srv/{component}-{version}.fwpkg\n"
                + "    rollback: none\n  waves:\n");
        assertThat(onlyError(hostTools + "  failurePolicy:\n    onFailure: rollback-all\n").path()).isEqualTo("spec.failurePolicy.onFailure");
    }

    @Test
    void badPowerBudgetIsExplained() {
        PlanError missing = onlyError(VALID.replace("  checks:\n", POWER.replace("      rackBudgetKw: 40\n", "")
                + "  checks:\n"));
        assertThat(missing.path()).isEqualTo("spec.limits.power.rackBudgetKw");
        assertThat(missing.message()).contains("is required");
        PlanError negative = onlyError(VALID.replace("  checks:\n", POWER.replace("nodeDrawKw: 10", "nodeDrawKw: -3")
                + "  checks:\n"));
        assertThat(negative.path()).isEqualTo("spec.limits.power.nodeDrawKw");
        assertThat(negative.line()).isEqualTo(29);
        assertThat(negative.message()).contains("\"-3\" is not a power in kW");
        PlanError typo = onlyError(VALID.replace("  checks:\n", POWER.replace("rackBudgetKw", "rackBudgetKW")
                + "  checks:\n").replace("      rackBudgetKW: 40\n", "      rackBudgetKw: 40\n      rackbudget: 3\n"));
        assertThat(typo.path()).isEqualTo("spec.limits.power.rackbudget");
        assertThat(typo.message()).contains("did you mean \"rackBudgetKw\"?");
    }

    @Test
    void missingRequiredPartsAreAllReportedAtOnce() {
        PlanParseResult result = parse("""
                apiVersion: waveline/v2
                kind: RolloutPlan
                metadata:
                  name: x
                spec:
                  method:
                    type: sshh
                """);
        assertThat(result.valid()).isFalse();
        assertThat(result.errors()).extracting(PlanError::path)
                .contains("apiVersion", "spec.target", "spec.waves", "spec.method.type");
        assertThat(result.errors()).filteredOn(e -> e.path().equals("spec.method.type")).first()
                .satisfies(e -> assertThat(e.message()).contains("(did you mean \"ssh\"?)"));
    }

    @Test
    void methodSettingsAreCheckedPerMethod() {
        String text = VALID.replace("  waves:\n", "  method:\n    type: ssh\n    packageManager: pacman\n    playbook: x.yml\n  waves:\n");
        PlanParseResult result = parse(text);
        assertThat(result.errors()).extracting(PlanError::path)
                .containsExactlyInAnyOrder("spec.method.packageManager", "spec.method.playbook");
        assertThat(result.errors()).filteredOn(e -> e.path().equals("spec.method.playbook")).first()
                .satisfies(e -> assertThat(e.message()).startsWith("unknown field"));
    }

    @Test
    void firmwareImagePathsMustBeAbsoluteTemplatesWithoutShellSyntax() {
        for (String bad : List.of("srv/{component}.bin", "/srv/{component}-{version}.bin; reboot", "/srv/../etc/{version}",
                "/srv/{component}-{release}.bin", "/srv/$(id)/{version}")) {
            String text = VALID.replace("  waves:\n", "  method:\n    type: ssh\n    firmwareImage: \"" + bad + "\"\n  waves:\n");
            PlanError error = onlyError(text);
            assertThat(error.path()).as(bad).isEqualTo("spec.method.firmwareImage");
            assertThat(error.message()).as(bad).startsWith("\"" + bad + "\" is not an absolute path template; start with /")
                    .endsWith("e.g. /srv/firmware/{component}-{version}.fwpkg");
        }
        String good = VALID.replace("      nvidia-driver: \"570.133.20\"\n      nvidia-fabricmanager: \"570.133.20\"\n",
                "      bios: \"2.19.1\"\n").replace("  waves:\n", "  method:\n    type: redfish\n    imageFile: /srv/fw/{component}-{version}.fwpkg\n"
                + "    forceResetAfter: 5m\n  waves:\n");
        assertThat(parse(good).plan().orElseThrow().method().settings()).containsEntry("imageFile", "/srv/fw/{component}-{version}.fwpkg")
                .containsEntry("forceResetAfter", "5m");
    }

    @Test
    void maintenanceWindowsAreParsed() {
        String text = VALID.replace("  checks:\n", "    maintenanceWindows:\n      - days: [weekdays, sat]\n"
                + "        start: \"22:00\"\n        end: \"05:30\"\n        timeZone: Europe/Berlin\n  checks:\n");
        RolloutPlan plan = parse(text).plan().orElseThrow();
        MaintenanceWindow window = plan.limits().maintenanceWindows().get(0);
        assertThat(window.days()).contains(DayOfWeek.MONDAY, DayOfWeek.SATURDAY).doesNotContain(DayOfWeek.SUNDAY);
        assertThat(window.start()).isEqualTo(LocalTime.of(22, 0));
        assertThat(window.crossesMidnight()).isTrue();
    }

    @Test
    void badMaintenanceWindowIsExplained() {
        String text = VALID.replace("  checks:\n", "    maintenanceWindows:\n      - days: [funday]\n"
                + "        start: \"25:00\"\n        end: \"05:30\"\n        timeZone: Mars/Olympus\n  checks:\n");
        PlanParseResult result = parse(text);
        assertThat(result.errors()).extracting(PlanError::path).containsExactly(
                "spec.limits.maintenanceWindows[0].days[0]", "spec.limits.maintenanceWindows[0].start",
                "spec.limits.maintenanceWindows[0].timeZone");
        assertThat(result.errors().get(2).message()).contains("use an IANA name such as Europe/Berlin");
    }

    @Test
    void yamlSyntaxErrorGivesItsLine() {
        PlanError error = onlyError(VALID.replace("    - name: staged", "    - name: staged\n   bad indent: [1"));
        assertThat(error.line()).isGreaterThan(15);
        assertThat(error.message()).startsWith("is not valid YAML");
    }

    @Test
    void duplicateKeysAreRefused() {
        PlanError error = onlyError(VALID.replace("      soak: 30m", "      soak: 30m\n      soak: 1h"));
        assertThat(error.line()).isEqualTo(15);
        assertThat(error.message()).isEqualTo("is given twice; keep one");
    }

    @Test
    void emptyOrNonMappingDocumentIsRefused() {
        assertThat(onlyError("").message()).isEqualTo("the document is empty");
        assertThat(onlyError("- a\n- b\n").message()).isEqualTo("the document must be a mapping of fields (key: value)");
    }

    @Test
    void aBrokenPlanNeverHalfLoads() {
        PlanParseResult result = parse(VALID.replace("size: 1", "size: 0"));
        assertThat(result.plan()).isEmpty();
        assertThat(result.errors()).singleElement().satisfies(e -> {
            assertThat(e.line()).isEqualTo(13);
            assertThat(e.message()).isEqualTo("\"0\" must be at least 1 node");
        });
    }

    @Test
    void plansThatCannotRunAsWrittenAreRefusedAtTheirLine() {
        PlanError zeroTimeout = onlyError(VALID.replace("      level: 3\n", "      level: 3\n      timeout: 0s\n"));
        assertThat(zeroTimeout.path()).isEqualTo("spec.checks[1].timeout");
        assertThat(zeroTimeout.line()).isEqualTo(VALID.lines().toList().indexOf("      level: 3") + 2);
        assertThat(zeroTimeout.message()).contains("positive duration").contains("10m");

        PlanError badSize = onlyError(VALID.replace("    - name: nvidia-smi\n", "    - name: nvidia-smi\n    - name: nccl-allreduce\n"
                + "      size: 16Q\n"));
        assertThat(badSize.path()).isEqualTo("spec.checks[1].size");
        assertThat(badSize.message()).isEqualTo("\"16Q\" is not a message size; use a number with an optional K, M or G, e.g. 1G");

        PlanError zeroReboot = onlyError(VALID.replace("  waves:\n", "  method:\n    type: ssh\n    rebootTimeout: 0s\n  waves:\n"));
        assertThat(zeroReboot.path()).isEqualTo("spec.method.rebootTimeout");
        assertThat(zeroReboot.line()).isEqualTo(13);
        assertThat(zeroReboot.message()).startsWith("is 0s; it must be more than nothing");
    }

    @Test
    void wholeDocumentRefusalsSayWhere() {
        StringBuilder aliases = new StringBuilder(VALID).append("  x-anchors:\n    base: &b [1, 2]\n");
        for (int i = 0; i < 25; i++) {
            aliases.append("    a").append(i).append(": *b\n");
        }
        PlanError tooManyAliases = parse(aliases.toString()).errors().get(0);
        assertThat(tooManyAliases.message()).startsWith("is not valid YAML");
        assertThat(tooManyAliases.line()).as("the alias past the limit").isGreaterThan((int) VALID.lines().count());

        String deep = VALID + "  deep: " + "[".repeat(60) + "]".repeat(60) + "\n";
        PlanError tooDeep = parse(deep).errors().get(0);
        assertThat(tooDeep.message()).startsWith("is not valid YAML");
        assertThat(tooDeep.line()).isEqualTo((int) VALID.lines().count() + 1);

        String big = VALID + "# " + "x".repeat(1_000_100) + "\n";
        PlanError tooBig = parse(big).errors().get(0);
        assertThat(tooBig.message()).startsWith("the document is over 1000000 characters");
        assertThat(tooBig.line()).isEqualTo((int) VALID.lines().count() + 1);

        byte[] latin1 = (VALID.replace("name: canary", "name: can\u00e4ry")).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        PlanError notUtf8 = PlanReview.notUtf8("plan.yaml", latin1).orElseThrow();
        assertThat(notUtf8.line()).isEqualTo(VALID.lines().toList().indexOf("    - name: canary") + 1);
        assertThat(notUtf8.message()).contains("not UTF-8");
        assertThat(PlanReview.notUtf8("plan.yaml", VALID.getBytes(java.nio.charset.StandardCharsets.UTF_8))).isEmpty();
    }
}
