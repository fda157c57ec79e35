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
public final class PlanParser extends SectionReader {

    private static final int MAX_WAVES = 20;

    private final LimitsReader limitsReader;
    private final PolicyReader policyReader;
    private final Map<String, YamlMapping.Scalar> componentScalars = new LinkedHashMap<>();

    private PlanParser(String file) {
        super(new Problems(file), new ArrayList<>());
        limitsReader = new LimitsReader(problems, declaredWaves);
        policyReader = new PolicyReader(problems, declaredWaves);
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
                if (Components.NAME.matcher(n).matches()) {
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
        Limits limits = spec.mapping("limits").map(limitsReader::limits)
                .orElse(new Limits(Limits.DEFAULT_MAX_UNAVAILABLE, List.of(), List.of()));
        DrainSettings drain = spec.mapping("drain").map(policyReader::drain).orElse(DrainSettings.defaults());
        List<CheckSpec> checks = policyReader.checks(spec);
        FailurePolicy failurePolicy = spec.mapping("failurePolicy").map(policyReader::failurePolicy)
                .orElse(FailurePolicy.defaults());
        MethodRules.check(method, componentScalars, name == null ? "?" : name, problems);
        if (method.typed().noRollback()
                && failurePolicy.onFailure() != OnFailure.HALT) {
            problems.error(spec.positionOf("failurePolicy"), "spec.failurePolicy.onFailure", "is "
                    + failurePolicy.onFailure().word() + ", but method.rollback: none says this firmware cannot go back; use"
                    + " onFailure: halt, so that Waveline stops instead of pretending to roll back");
        }
        Estimates estimates = spec.mapping("estimates").map(policyReader::estimates).orElse(Estimates.defaults());
        boolean twoPerson = spec.mapping("approvals").map(approvals -> {
            boolean rule = approvals.bool("twoPersonRule").orElse(false);
            approvals.finish();
            return rule;
        }).orElse(false);
        WaveChecks waveChecks = spec.mapping("waveChecks").map(w -> {
            boolean xid = w.bool("xid").orElse(true);
            Optional<WaveChecks.MultiNodeNccl> nccl = w.mapping("nccl").flatMap(n -> limitsReader.multiNodeNccl(n, waves));
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
        componentScalars.putAll(versions);
        for (Map.Entry<String, YamlMapping.Scalar> entry : versions.entrySet()) {
            String component = entry.getKey();
            YamlMapping.Scalar version = entry.getValue();
            if (!Components.ALL.contains(component)) {
                problems.error(version.position(), version.path(), "unknown component"
                        + Suggestions.didYouMean(component, Components.ALL) + "; known components: "
                        + String.join(", ", Components.ALL.stream().sorted().toList()));
            } else if (!Components.VERSION.matcher(version.value()).matches()) {
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
        YamlMapping.Scalar driver = versions.get(Components.DRIVER);
        YamlMapping.Scalar fabricManager = versions.get(Components.FABRIC_MANAGER);
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
        Map<String, SourcePosition> positions = new HashMap<>();
        positions.put("", method.position());
        positions.put("type", method.positionOf("type"));
        type.ifPresent(t -> MethodCatalog.settings(t).forEach(rule -> rule.read(method).ifPresent(v -> {
            settings.put(rule.name(), String.valueOf(v));
            positions.put(rule.name(), method.positionOf(rule.name()));
        })));
        method.finish();
        return new MethodSpec(type.orElse(Method.SSH), settings, positions);
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
                if (!Components.NAME.matcher(n).matches()) {
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

    static String sha256(String text) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
