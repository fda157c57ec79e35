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

/**
 * Reads a rollout plan from YAML text, strictly. Every field is checked for type and range, unknown fields are
 * errors with a suggestion, and every error names file, line, column and field path. The answer is either a
 * complete plan or the full list of errors. Checks that need the fleet (selectors matching nothing, waves that
 * cannot be filled) belong to the {@link WavePlanner}.
 */
public final class PlanParser {

    public static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    public static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+~-]{0,63}");
    public static final Pattern NODE_NAME = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_.]{0,251}[A-Za-z0-9])?");
    public static final Set<String> COMPONENTS = Set.of("nvidia-driver", "nvidia-fabricmanager", "gpu-operator",
            "gpu-firmware", "nvswitch-firmware", "nic-firmware", "bmc-firmware", "bios", "amdgpu-driver", "rocm", "nvidia-container-toolkit", "dcgm");
    /** What the redfish method moves. */
    public static final Set<String> FIRMWARE = Set.of("gpu-firmware", "nic-firmware", "bmc-firmware", "bios");
    public static final String DRIVER = "nvidia-driver";
    public static final String FABRIC_MANAGER = "nvidia-fabricmanager";
    private static final int MAX_WAVES = 20;

    private final Problems problems;
    private final List<String> declaredWaves = new ArrayList<>();

    private PlanParser(String file) {
        this.problems = new Problems(file);
    }

    public static PlanParseResult parse(String file, String text) {
        PlanParser parser = new PlanParser(file);
        Optional<RolloutPlan> plan = YamlMapping.parseDocument(text, parser.problems).flatMap(parser::document);
        Optional<RolloutPlan> valid = parser.problems.hasErrors() ? Optional.empty() : plan;
        return new PlanParseResult(file, valid, parser.problems.errors(), parser.problems.warnings(),
                sha256(text == null ? "" : text));
    }

    private Optional<RolloutPlan> document(YamlMapping root) {
        root.requiredString("apiVersion", "write apiVersion: " + RolloutPlan.API_VERSION).ifPresent(v -> {
            if (!RolloutPlan.API_VERSION.equals(v)) {
                problems.error(root.positionOf("apiVersion"), "apiVersion",
                        "\"" + v + "\" is not supported; use " + RolloutPlan.API_VERSION);
            }
        });
        root.requiredString("kind", "write kind: " + RolloutPlan.KIND).ifPresent(v -> {
            if (!RolloutPlan.KIND.equals(v)) {
                problems.error(root.positionOf("kind"), "kind", "\"" + v + "\" is not a plan; use " + RolloutPlan.KIND);
            }
        });
        String[] name = {null};
        String[] description = {""};
        if (!root.has("metadata")) {
            problems.error(root.position(), "metadata", "is required; give at least metadata.name");
        }
        root.mapping("metadata").ifPresent(metadata -> {
            metadata.requiredString("name", "a lowercase name such as h100-driver-570").ifPresent(n -> {
                if (NAME.matcher(n).matches()) {
                    name[0] = n;
                } else {
                    problems.error(metadata.positionOf("name"), "metadata.name", "\"" + n
                            + "\" is not a valid name; use lowercase letters, digits and '-', up to 63 characters");
                }
            });
            metadata.string("description").ifPresent(d -> description[0] = d);
            metadata.mapping("labels").ifPresent(YamlMapping::finish);
            metadata.finish();
        });
        if (!root.has("spec")) {
            problems.error(root.position(), "spec", "is required; it holds target, waves and the rest of the plan");
        }
        Optional<RolloutPlan> plan = root.mapping("spec").flatMap(spec -> spec(spec, name[0], description[0]));
        root.finish();
        return plan;
    }

    private Optional<RolloutPlan> spec(YamlMapping spec, String name, String description) {
        Optional<Target> target = spec.mapping("target").map(this::target);
        if (!spec.has("target")) {
            problems.error(spec.position(), "spec.target", "is required; say which nodes and which versions");
        }
        MethodSpec method = spec.mapping("method").map(this::method)
                .orElse(new MethodSpec(Method.SSH, Map.of()));
        List<WaveSpec> waves = waves(spec);
        Limits limits = spec.mapping("limits").map(this::limits)
                .orElse(new Limits(Limits.DEFAULT_MAX_UNAVAILABLE, List.of(), List.of()));
        DrainSettings drain = spec.mapping("drain").map(this::drain).orElse(DrainSettings.defaults());
        List<CheckSpec> checks = checks(spec);
        FailurePolicy failurePolicy = spec.mapping("failurePolicy").map(this::failurePolicy)
                .orElse(FailurePolicy.defaults());
        if ("none".equals(method.settings().get("rollback"))
                && failurePolicy.onFailure() != OnFailure.HALT) {
            problems.error(spec.positionOf("failurePolicy"), "spec.failurePolicy.onFailure", "is "
                    + failurePolicy.onFailure().word() + ", but method.rollback: none says this firmware cannot go back; use"
                    + " onFailure: halt, so that Waveline stops instead of pretending to roll back");
        }
        Estimates estimates = spec.mapping("estimates").map(this::estimates).orElse(Estimates.defaults());
        boolean twoPerson = spec.mapping("approvals").map(approvals -> {
            boolean rule = approvals.bool("twoPersonRule").orElse(false);
            approvals.finish();
            return rule;
        }).orElse(false);
        WaveChecks waveChecks = spec.mapping("waveChecks").map(w -> {
            boolean xid = w.bool("xid").orElse(true);
            Optional<WaveChecks.MultiNodeNccl> nccl = w.mapping("nccl").flatMap(n -> multiNodeNccl(n, waves));
            w.finish();
            return new WaveChecks(xid, nccl);
        }).orElse(WaveChecks.defaults());
        spec.finish();
        if (problems.hasErrors() || target.isEmpty() || name == null) {
            return Optional.empty();
        }
        return Optional.of(new RolloutPlan(name, description, target.get(), method, waves, limits, drain, checks,
                failurePolicy, estimates, twoPerson, waveChecks));
    }

    private Target target(YamlMapping target) {
        Optional<LabelSelector> selector = selector(target, "selector");
        List<String> nodes = nodeNames(target, "nodes");
        List<String> excludeNodes = new ArrayList<>();
        Optional<LabelSelector> excludeSelector = Optional.empty();
        Optional<YamlMapping> exclude = target.mapping("exclude");
        if (exclude.isPresent()) {
            excludeNodes.addAll(nodeNames(exclude.get(), "nodes"));
            excludeSelector = selector(exclude.get(), "selector");
            exclude.get().finish();
        }
        if (selector.isEmpty() && nodes.isEmpty() && !target.has("selector") && !target.has("nodes")) {
            problems.error(target.position(), target.path(),
                    "selects no nodes; give a selector (e.g. selector: \"pool=h100\") or a list of nodes");
        }
        List<ComponentTarget> components = components(target);
        target.finish();
        return new Target(selector, nodes, List.copyOf(excludeNodes), excludeSelector, components, target.position());
    }

    private List<ComponentTarget> components(YamlMapping target) {
        if (!target.has("components")) {
            problems.error(target.position(), target.child("components"),
                    "is required; list the components and their target versions, e.g. nvidia-driver: \"570.133.20\"");
            return List.of();
        }
        List<ComponentTarget> components = new ArrayList<>();
        Map<String, YamlMapping.Scalar> versions = target.scalarMap("components");
        for (Map.Entry<String, YamlMapping.Scalar> entry : versions.entrySet()) {
            String component = entry.getKey();
            YamlMapping.Scalar version = entry.getValue();
            if (!COMPONENTS.contains(component)) {
                problems.error(version.position(), version.path(), "unknown component"
                        + Suggestions.didYouMean(component, COMPONENTS) + "; known components: "
                        + String.join(", ", COMPONENTS.stream().sorted().toList()));
            } else if (!VERSION.matcher(version.value()).matches()) {
                problems.error(version.position(), version.path(), "\"" + version.value()
                        + "\" is not a valid version; use letters, digits and . _ + ~ - (e.g. 570.133.20), "
                        + "up to 64 characters, quoted");
            } else {
                components.add(new ComponentTarget(component, version.value()));
            }
        }
        if (versions.isEmpty() && target.has("components")) {
            problems.error(target.positionOf("components"), target.child("components"),
                    "is empty; give at least one component and its version");
        }
        YamlMapping.Scalar driver = versions.get(DRIVER);
        YamlMapping.Scalar fabricManager = versions.get(FABRIC_MANAGER);
        if (driver != null && fabricManager != null && !driver.value().equals(fabricManager.value())) {
            problems.error(fabricManager.position(), fabricManager.path(), "\"" + fabricManager.value()
                    + "\" differs from nvidia-driver \"" + driver.value()
                    + "\"; Fabric Manager must run the driver's exact version on NVSwitch systems");
        }
        return List.copyOf(components);
    }

    private MethodSpec method(YamlMapping method) {
        Optional<Method> type = method.requiredString("type", "use one of " + String.join(", ", MethodCatalog.words()))
                .flatMap(word -> {
                    Optional<Method> found = MethodCatalog.byWord(word);
                    if (found.isEmpty()) {
                        problems.error(method.positionOf("type"), method.child("type"), "\"" + word
                                + "\" is not a method" + Suggestions.didYouMean(word, MethodCatalog.words())
                                + "; use one of " + String.join(", ", MethodCatalog.words()));
                    }
                    return found;
                });
        Map<String, String> settings = new TreeMap<>();
        type.ifPresent(t -> MethodCatalog.settings(t)
                .forEach(rule -> rule.read(method).ifPresent(v -> settings.put(rule.name(), String.valueOf(v)))));
        method.finish();
        return new MethodSpec(type.orElse(Method.SSH), Map.copyOf(settings));
    }

    private List<WaveSpec> waves(YamlMapping spec) {
        if (!spec.has("waves")) {
            problems.error(spec.position(), "spec.waves",
                    "is required; list the waves in order, e.g. canary (size: 1), then size: rest");
            return List.of();
        }
        List<YamlMapping.Item> items = spec.list("waves");
        if (items.isEmpty() && !problems.hasErrors()) {
            problems.error(spec.positionOf("waves"), "spec.waves", "is empty; give at least one wave");
        }
        if (items.size() > MAX_WAVES) {
            problems.error(spec.positionOf("waves"), "spec.waves", "has " + items.size()
                    + " waves; at most " + MAX_WAVES + " are allowed");
        }
        List<WaveSpec> waves = new ArrayList<>();
        Map<String, String> seen = new HashMap<>();
        int percentTotal = 0;
        for (int i = 0; i < items.size(); i++) {
            YamlMapping.Item item = items.get(i);
            Optional<YamlMapping> wave = YamlMapping.of(item.node(), item.path(), problems);
            if (wave.isEmpty()) {
                continue;
            }
            YamlMapping w = wave.get();
            Optional<String> name = w.requiredString("name", "give each wave a name such as canary").flatMap(n -> {
                if (!NAME.matcher(n).matches()) {
                    problems.error(w.positionOf("name"), w.child("name"), "\"" + n
                            + "\" is not a valid wave name; use lowercase letters, digits and '-'");
                    return Optional.empty();
                }
                if (seen.containsKey(n)) {
                    problems.error(w.positionOf("name"), w.child("name"), "\"" + n + "\" is already the name of "
                            + seen.get(n) + "; wave names must be unique");
                    return Optional.empty();
                }
                seen.put(n, w.path());
                declaredWaves.add(n);
                return Optional.of(n);
            });
            Optional<WaveSize> size = w.requiredString("size", "a count (2), a share (\"10%\"), rest or coverage")
                    .flatMap(text -> waveSize(text, w));
            if (size.isPresent() && size.get() instanceof WaveSize.Percent p) {
                percentTotal += p.percent();
                if (percentTotal > 100) {
                    problems.error(w.positionOf("size"), w.child("size"), "brings the waves' shares to "
                            + percentTotal + "%, over 100%; lower it or use size: rest");
                }
            }
            if (size.isPresent() && size.get() instanceof WaveSize.Rest && i != items.size() - 1) {
                problems.error(w.positionOf("size"), w.child("size"),
                        "rest takes every node left, so only the last wave may use it");
            }
            Duration soak = w.string("soak").flatMap(text -> duration(text, w, "soak")).orElse(Duration.ZERO);
            boolean approval = w.string("approval").map(text -> {
                if (!Set.of("required", "none").contains(text)) {
                    problems.error(w.positionOf("approval"), w.child("approval"), "\"" + text
                            + "\" is not allowed; use required (a person approves before this wave starts) or none");
                }
                return "required".equals(text);
            }).orElse(false);
            Optional<Integer> maxParallel = w.integer("maxParallel", 1, 10_000);
            w.finish();
            if (name.isPresent() && size.isPresent()) {
                waves.add(new WaveSpec(name.get(), size.get(), soak, approval, maxParallel, w.position(), w.path()));
            }
        }
        return List.copyOf(waves);
    }

    private Optional<WaveSize> waveSize(String text, YamlMapping wave) {
        String value = text.trim();
        if (value.equals("rest")) {
            return Optional.of(new WaveSize.Rest());
        }
        if (value.equals("coverage")) {
            return Optional.of(new WaveSize.Coverage());
        }
        try {
            if (value.endsWith("%")) {
                int percent = Integer.parseInt(value.substring(0, value.length() - 1).trim());
                if (percent < 1 || percent > 100) {
                    problems.error(wave.positionOf("size"), wave.child("size"), "\"" + value
                            + "\" is " + (percent > 100 ? "over 100%" : "not above 0%") + "; use a share from 1% to 100%");
                    return Optional.empty();
                }
                return Optional.of(new WaveSize.Percent(percent));
            }
            int count = Integer.parseInt(value);
            if (count < 1) {
                problems.error(wave.positionOf("size"), wave.child("size"), "\"" + value
                        + "\" must be at least 1 node");
                return Optional.empty();
            }
            return Optional.of(new WaveSize.Count(count));
        } catch (NumberFormatException e) {
            problems.error(wave.positionOf("size"), wave.child("size"), "\"" + value
                    + "\" is not a wave size" + Suggestions.didYouMean(value, List.of("rest", "coverage"))
                    + "; use a count (2), a share (\"10%\"), rest or coverage");
            return Optional.empty();
        }
    }

    private Limits limits(YamlMapping limits) {
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

    private static final Pattern NCCL_SIZE = Pattern.compile("[0-9]{1,6}[KMG]?");

    private Optional<WaveChecks.MultiNodeNccl> multiNodeNccl(YamlMapping n, List<WaveSpec> waves) {
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

    private Optional<PowerBudget> power(YamlMapping power) {
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

    private Optional<Double> kilowatts(YamlMapping mapping, String key) {
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

    private Optional<MaintenanceWindow> window(YamlMapping w) {
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

    private static Optional<Set<DayOfWeek>> days(String text) {
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

    private Optional<LocalTime> time(String text, YamlMapping w, String field) {
        try {
            return Optional.of(LocalTime.parse(text.trim().length() == 4 ? "0" + text.trim() : text.trim()));
        } catch (DateTimeParseException e) {
            problems.error(w.positionOf(field), w.child(field), "\"" + text
                    + "\" is not a time of day; use 24-hour HH:MM, quoted, such as \"22:00\"");
            return Optional.empty();
        }
    }

    private DrainSettings drain(YamlMapping drain) {
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

    private List<CheckSpec> checks(YamlMapping spec) {
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

    private FailurePolicy failurePolicy(YamlMapping policy) {
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

    private Estimates estimates(YamlMapping estimates) {
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

    private Optional<Duration> duration(String text, YamlMapping mapping, String field) {
        Optional<Duration> duration = Durations.parse(text);
        if (duration.isEmpty()) {
            problems.error(mapping.positionOf(field), mapping.child(field), "\"" + text + "\" is not a duration; "
                    + Durations.HINT);
        }
        return duration;
    }

    private Optional<Quantity> quantity(String text, YamlMapping mapping, String field, int minimum) {
        String value = text.trim();
        try {
            if (value.endsWith("%")) {
                int percent = Integer.parseInt(value.substring(0, value.length() - 1).trim());
                if (percent < minimum || percent > 100) {
                    throw new NumberFormatException();
                }
                return Optional.of(Quantity.percentage(percent));
            }
            int count = Integer.parseInt(value);
            if (count < minimum) {
                throw new NumberFormatException();
            }
            return Optional.of(Quantity.count(count));
        } catch (NumberFormatException e) {
            problems.error(mapping.positionOf(field), mapping.child(field), "\"" + value + "\" is not allowed; use a count of at least "
                    + minimum + " or a share from " + minimum + "% to 100%, e.g. 2 or \"10%\"");
            return Optional.empty();
        }
    }

    private Optional<LabelSelector> selector(YamlMapping mapping, String field) {
        return mapping.string(field).flatMap(text -> {
            try {
                return Optional.of(LabelSelector.parse(text));
            } catch (LabelSelector.SyntaxException e) {
                SourcePosition at = mapping.positionOf(field);
                problems.error(at, mapping.child(field), "\"" + text + "\" at character " + (e.offset() + 1) + ": "
                        + e.getMessage());
                return Optional.empty();
            }
        });
    }

    private boolean validLabelKey(String key, YamlMapping mapping, String field) {
        try {
            LabelSelector selector = LabelSelector.parse(key);
            if (selector.requirements().size() == 1
                    && selector.requirements().get(0).operator() == LabelSelector.Operator.EXISTS) {
                return true;
            }
        } catch (LabelSelector.SyntaxException e) {
            // reported below
        }
        problems.error(mapping.positionOf(field), mapping.child(field), "\"" + key + "\" is not a label name");
        return false;
    }

    private List<String> nodeNames(YamlMapping mapping, String field) {
        List<String> names = new ArrayList<>();
        for (YamlMapping.Scalar node : mapping.scalars(field)) {
            if (!NODE_NAME.matcher(node.value()).matches()) {
                problems.error(node.position(), node.path(), "\"" + node.value() + "\" is not a valid node name");
            } else if (names.contains(node.value())) {
                problems.error(node.position(), node.path(), "\"" + node.value() + "\" is listed twice");
            } else {
                names.add(node.value());
            }
        }
        return List.copyOf(names);
    }

    static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
