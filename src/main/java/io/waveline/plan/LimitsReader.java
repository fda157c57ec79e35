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

/** Reads {@code spec.limits} (fleet and failure-domain limits, the rack power budget, maintenance windows) and {@code spec.waveChecks.nccl}. */
final class LimitsReader extends SectionReader {

    LimitsReader(Problems problems, List<String> declaredWaves) {
        super(problems, declaredWaves);
    }

    Limits limits(YamlMapping limits) {
        Quantity maxUnavailable = limits.string("maxUnavailable")
                .flatMap(text -> quantity(text, limits, "maxUnavailable", 1)).orElse(Limits.DEFAULT_MAX_UNAVAILABLE);
        List<FailureDomainLimit> domains = new ArrayList<>();
        for (YamlMapping.Item item : limits.list("failureDomains")) {
            YamlMapping.of(item.node(), item.path(), problems).ifPresent(d -> {
                Optional<String> key = d.requiredString("labelKey", "the label that names the domain, e.g. rack")
                        .filter(k -> validLabelKey(k, d, "labelKey"));
                Optional<Integer> max = d.integer("maxUnavailable", 1, 10_000);
                if (!d.has("maxUnavailable")) {
                    problems.error(d.position(), d.child("maxUnavailable"),
                            "is required; how many nodes of one domain may be out at once, e.g. 1");
                }
                d.finish();
                if (key.isPresent() && max.isPresent()) {
                    domains.add(new FailureDomainLimit(key.get(), max.get()));
                }
            });
        }
        List<MaintenanceWindow> windows = new ArrayList<>();
        for (YamlMapping.Item item : limits.list("maintenanceWindows")) {
            YamlMapping.of(item.node(), item.path(), problems).flatMap(this::window).ifPresent(windows::add);
        }
        Optional<PowerBudget> power = limits.mapping("power").flatMap(this::power);
        limits.finish();
        return new Limits(maxUnavailable, List.copyOf(domains), List.copyOf(windows), power);
    }

    static final Pattern NCCL_SIZE = Pattern.compile("[0-9]{1,6}[KMG]?");

    Optional<WaveChecks.MultiNodeNccl> multiNodeNccl(YamlMapping n, List<WaveSpec> waves) {
        Optional<Object> threshold = SettingRule.number("minBusBandwidthGBps", 0, 100_000).read(n);
        if (!n.has("minBusBandwidthGBps")) {
            problems.error(n.position(), n.child("minBusBandwidthGBps"), "is required; the bus bandwidth the run across"
                    + " the wave must reach, in GB/s, e.g. 350");
        }
        String size = n.string("size").map(String::trim).orElse("1G");
        boolean sizeOk = NCCL_SIZE.matcher(size).matches();
        if (!sizeOk) {
            problems.error(n.positionOf("size"), n.child("size"), "\"" + size + "\" is not a message size; use a number"
                    + " with an optional K, M or G, e.g. 1G");
        }
        Optional<Integer> gpus = n.integer("gpusPerNode", 1, 64);
        List<String> names = waves.stream().map(WaveSpec::name).toList();
        List<String> only = new ArrayList<>();
        for (YamlMapping.Scalar wave : n.scalars("waves")) {
            if (!names.contains(wave.value())) {
                problems.error(wave.position(), wave.path(), "no wave is called \"" + wave.value() + "\""
                        + Suggestions.didYouMean(wave.value(), names) + "; the waves are " + String.join(", ", names));
            } else {
                only.add(wave.value());
            }
        }
        Duration timeout = n.string("timeout").flatMap(t -> duration(t, n, "timeout"))
                .orElse(WaveChecks.MultiNodeNccl.DEFAULT_TIMEOUT);
        n.finish();
        if (threshold.isEmpty() || !sizeOk) {
            return Optional.empty();
        }
        return Optional.of(new WaveChecks.MultiNodeNccl(((Number) threshold.get()).doubleValue(), size, gpus,
                List.copyOf(only), timeout));
    }

    Optional<PowerBudget> power(YamlMapping power) {
        String rackLabel = power.string("rackLabel").filter(k -> validLabelKey(k, power, "rackLabel"))
                .orElse(PowerBudget.DEFAULT_RACK_LABEL);
        Optional<Double> budget = kilowatts(power, "rackBudgetKw");
        if (!power.has("rackBudgetKw")) {
            problems.error(power.position(), power.child("rackBudgetKw"), "is required; the power one rack may draw for"
                    + " burn-in, in kW, e.g. 40");
        }
        double draw = kilowatts(power, "nodeDrawKw").orElse(PowerBudget.DEFAULT_NODE_DRAW_KW);
        Map<String, Double> byModel = new LinkedHashMap<>();
        power.mapping("nodeDrawKwByModel").ifPresent(models -> {
            for (String model : models.keys()) {
                kilowatts(models, model).ifPresent(kw -> byModel.put(model, kw));
            }
        });
        power.finish();
        return budget.map(b -> new PowerBudget(rackLabel, b, draw, byModel));
    }

    Optional<Double> kilowatts(YamlMapping mapping, String key) {
        return mapping.string(key).flatMap(text -> {
            try {
                double value = Double.parseDouble(text.trim());
                if (value > 0 && value <= 10_000) {
                    return Optional.of(value);
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            problems.error(mapping.positionOf(key), mapping.child(key), "\"" + text
                    + "\" is not a power in kW; use a number above 0 and at most 10000, e.g. 40");
            return Optional.empty();
        });
    }

    Optional<MaintenanceWindow> window(YamlMapping w) {
        Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
        boolean ok = true;
        if (!w.has("days")) {
            days.addAll(EnumSet.allOf(DayOfWeek.class));
        }
        for (YamlMapping.Scalar day : w.scalars("days")) {
            Optional<Set<DayOfWeek>> parsed = days(day.value());
            if (parsed.isEmpty()) {
                problems.error(day.position(), day.path(), "\"" + day.value()
                        + "\" is not a day; use mon, tue, wed, thu, fri, sat, sun, weekdays, weekend or daily");
                ok = false;
            } else {
                days.addAll(parsed.get());
            }
        }
        Optional<LocalTime> start = w.requiredString("start", "a time such as \"22:00\"").flatMap(t -> time(t, w, "start"));
        Optional<LocalTime> end = w.requiredString("end", "a time such as \"06:00\"").flatMap(t -> time(t, w, "end"));
        ZoneId zone = w.string("timeZone").flatMap(z -> {
            try {
                return Optional.of(ZoneId.of(z));
            } catch (RuntimeException e) {
                problems.error(w.positionOf("timeZone"), w.child("timeZone"), "\"" + z
                        + "\" is not a time zone; use an IANA name such as Europe/Berlin or UTC");
                return Optional.empty();
            }
        }).orElse(ZoneId.of("UTC"));
        w.finish();
        if (start.isPresent() && end.isPresent() && start.get().equals(end.get())) {
            problems.error(w.positionOf("end"), w.child("end"), "equals start; a window must have a length");
            return Optional.empty();
        }
        if (!ok || start.isEmpty() || end.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new MaintenanceWindow(Set.copyOf(days), start.get(), end.get(), zone));
    }

    static Optional<Set<DayOfWeek>> days(String text) {
        String word = text.trim().toLowerCase();
        switch (word) {
            case "daily":
                return Optional.of(EnumSet.allOf(DayOfWeek.class));
            case "weekdays":
                return Optional.of(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));
            case "weekend":
                return Optional.of(EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY));
            default:
                for (DayOfWeek day : DayOfWeek.values()) {
                    String full = day.name().toLowerCase();
                    if (word.equals(full) || word.equals(full.substring(0, 3))) {
                        return Optional.of(EnumSet.of(day));
                    }
                }
                return Optional.empty();
        }
    }

    Optional<LocalTime> time(String text, YamlMapping w, String field) {
        try {
            return Optional.of(LocalTime.parse(text.trim().length() == 4 ? "0" + text.trim() : text.trim()));
        } catch (DateTimeParseException e) {
            problems.error(w.positionOf(field), w.child(field), "\"" + text
                    + "\" is not a time of day; use 24-hour HH:MM, quoted, such as \"22:00\"");
            return Optional.empty();
        }
    }
}
