package io.waveline.plan;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

import io.waveline.plan.DrainSettings.OnTimeout;
import io.waveline.plan.DrainSettings.WaitForJobs;
import io.waveline.plan.FailurePolicy.OnFailure;
import io.waveline.plan.MethodSpec.Method;

/** Reads {@code spec.drain}, {@code spec.checks}, {@code spec.failurePolicy} and {@code spec.estimates}. */
final class PolicyReader extends SectionReader {

    PolicyReader(Problems problems, List<String> declaredWaves) {
        super(problems, declaredWaves);
    }

    DrainSettings drain(YamlMapping drain) {
        DrainSettings defaults = DrainSettings.defaults();
        boolean enabled = drain.bool("enabled").orElse(defaults.enabled());
        Duration timeout = drain.string("timeout").flatMap(t -> duration(t, drain, "timeout")).orElse(defaults.timeout());
        Duration grace = drain.string("gracePeriod").flatMap(t -> duration(t, drain, "gracePeriod"))
                .orElse(defaults.gracePeriod());
        Optional<LabelSelector> podSelector = selector(drain, "podSelector");
        boolean deleteEmptyDir = drain.bool("deleteEmptyDir").orElse(defaults.deleteEmptyDir());
        boolean force = drain.bool("force").orElse(defaults.force());
        Optional<WaitForJobs> waitForJobs = drain.mapping("waitForJobs").flatMap(wait -> {
            Optional<LabelSelector> pods = selector(wait, "podSelector");
            if (!wait.has("podSelector")) {
                problems.error(wait.position(), wait.child("podSelector"),
                        "is required; the pods to wait for, e.g. \"kueue.x-k8s.io/queue-name\"");
            }
            Duration waitTimeout = wait.string("timeout").flatMap(t -> duration(t, wait, "timeout"))
                    .orElse(Duration.ofHours(1));
            OnTimeout onTimeout = wait.string("onTimeout").flatMap(text -> {
                for (OnTimeout value : OnTimeout.values()) {
                    if (value.word().equals(text)) {
                        return Optional.of(value);
                    }
                }
                problems.error(wait.positionOf("onTimeout"), wait.child("onTimeout"), "\"" + text
                        + "\" is not allowed; use drain (drain anyway) or skip-node (leave the node for later)");
                return Optional.empty();
            }).orElse(OnTimeout.DRAIN);
            wait.finish();
            return pods.map(p -> new WaitForJobs(p, waitTimeout, onTimeout));
        });
        drain.finish();
        return new DrainSettings(enabled, timeout, grace, podSelector, deleteEmptyDir, force, waitForJobs);
    }

    List<CheckSpec> checks(YamlMapping spec) {
        List<String> waveNames = List.copyOf(declaredWaves);
        List<CheckSpec> checks = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        for (YamlMapping.Item item : spec.list("checks")) {
            Optional<YamlMapping> mapping = YamlMapping.of(item.node(), item.path(), problems);
            if (mapping.isEmpty()) {
                continue;
            }
            YamlMapping c = mapping.get();
            Optional<CheckCatalog.Definition> definition = c.requiredString("name", "a check from the catalog, e.g. nvidia-smi")
                    .flatMap(name -> {
                        Optional<CheckCatalog.Definition> found = CheckCatalog.find(name);
                        if (found.isEmpty()) {
                            problems.error(c.positionOf("name"), c.child("name"), "\"" + name + "\" is not a check"
                                    + Suggestions.didYouMean(name, CheckCatalog.names()) + "; the catalog has "
                                    + String.join(", ", CheckCatalog.names()));
                        }
                        return found;
                    });
            Map<String, Object> parameters = new LinkedHashMap<>();
            definition.ifPresent(d -> d.parameters().forEach(rule -> rule.read(c).ifPresent(v -> parameters.put(rule.name(), v))));
            Optional<Duration> timeout = c.string("timeout").flatMap(t -> duration(t, c, "timeout"));
            if (timeout.filter(t -> t.isZero() || t.isNegative()).isPresent()) {
                problems.error(c.positionOf("timeout"), c.child("timeout"), "is " + c.string("timeout").orElse("0s")
                        + "; a check needs time to run: give a positive duration such as 10m, or leave it out for the check's"
                        + " default (" + definition.map(d -> Durations.format(d.defaultTimeout())).orElse("its own") + ")");
                timeout = Optional.empty();
            }
            if (parameters.get("size") instanceof String size && !LimitsReader.NCCL_SIZE.matcher(size).matches()) {
                problems.error(c.positionOf("size"), c.child("size"), "\"" + size + "\" is not a message size; use a number"
                        + " with an optional K, M or G, e.g. 1G");
            }
            List<String> onlyWaves = new ArrayList<>();
            for (YamlMapping.Scalar wave : c.scalars("waves")) {
                if (!waveNames.contains(wave.value())) {
                    problems.error(wave.position(), wave.path(), "\"" + wave.value() + "\" is not a wave of this plan"
                            + Suggestions.didYouMean(wave.value(), waveNames) + "; waves: " + String.join(", ", waveNames));
                } else {
                    onlyWaves.add(wave.value());
                }
            }
            if (definition.isPresent()) {
                c.finish();
                CheckSpec check = new CheckSpec(definition.get().name(), Map.copyOf(parameters),
                        timeout.orElse(definition.get().defaultTimeout()), List.copyOf(onlyWaves));
                for (String wave : waveNames) {
                    if (!check.appliesTo(wave)) {
                        continue;
                    }
                    String key = check.name() + "@" + wave;
                    if (seen.containsKey(key)) {
                        problems.error(c.positionOf("name"), c.child("name"), "\"" + check.name()
                                + "\" already runs in wave " + wave + " (" + seen.get(key)
                                + "); give each entry its own waves");
                        break;
                    }
                    seen.put(key, item.path());
                }
                checks.add(check);
            }
        }
        return List.copyOf(checks);
    }

    FailurePolicy failurePolicy(YamlMapping policy) {
        FailurePolicy defaults = FailurePolicy.defaults();
        Quantity allowed = policy.string("maxFailuresPerWave")
                .flatMap(text -> quantity(text, policy, "maxFailuresPerWave", 0))
                .orElse(defaults.failuresAllowedPerWave());
        OnFailure onFailure = policy.string("onFailure").flatMap(text -> {
            for (OnFailure value : OnFailure.values()) {
                if (value.word().equals(text)) {
                    return Optional.of(value);
                }
            }
            List<String> words = java.util.Arrays.stream(OnFailure.values()).map(OnFailure::word).toList();
            problems.error(policy.positionOf("onFailure"), policy.child("onFailure"), "\"" + text
                    + "\" is not allowed" + Suggestions.didYouMean(text, words) + "; use one of " + String.join(", ", words));
            return Optional.empty();
        }).orElse(defaults.onFailure());
        boolean quarantine = policy.bool("quarantineHardwareFaults").orElse(defaults.quarantineHardwareFaults());
        int signatureLimit = policy.integer("hardwareSignatureLimit", 0, 10_000).orElse(defaults.hardwareSignatureLimit());
        policy.finish();
        return new FailurePolicy(allowed, onFailure, quarantine, signatureLimit);
    }

    Estimates estimates(YamlMapping estimates) {
        Estimates defaults = Estimates.defaults();
        Duration drain = estimates.string("drain").flatMap(t -> duration(t, estimates, "drain")).orElse(defaults.drain());
        Duration upgrade = estimates.string("upgrade").flatMap(t -> duration(t, estimates, "upgrade"))
                .orElse(defaults.upgrade());
        Duration reboot = estimates.string("reboot").flatMap(t -> duration(t, estimates, "reboot"))
                .orElse(defaults.reboot());
        Duration validation = estimates.string("validation").flatMap(t -> duration(t, estimates, "validation"))
                .orElse(defaults.validation());
        BigDecimal price = estimates.string("gpuHourUsd").flatMap(text -> {
            try {
                BigDecimal value = new BigDecimal(text.trim());
                if (value.signum() < 0 || value.compareTo(BigDecimal.valueOf(10_000)) > 0) {
                    throw new NumberFormatException();
                }
                return Optional.of(value);
            } catch (NumberFormatException e) {
                problems.error(estimates.positionOf("gpuHourUsd"), estimates.child("gpuHourUsd"), "\"" + text
                        + "\" is not a price; use US dollars per GPU-hour from 0 to 10000, e.g. 2.49");
                return Optional.empty();
            }
        }).orElse(defaults.gpuHourUsd());
        estimates.finish();
        if (drain.plus(upgrade).plus(reboot).plus(validation).isZero()) {
            problems.error(estimates.position(), estimates.path(), "all step durations are zero; a node takes time");
        }
        return new Estimates(drain, upgrade, reboot, validation, price);
    }
}
