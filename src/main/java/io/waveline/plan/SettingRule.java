package io.waveline.plan;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The type and range of one named setting (a method setting or a check threshold). Values that may later reach a
 * shell command are held to {@link #SAFE_TEXT}; nothing else is accepted.
 */
public record SettingRule(String name, Kind kind, double min, double max, Set<String> allowed) {

    /** Letters, digits and {@code . _ + ~ - / : @} (a leading {@code /} for absolute paths): versions, paths, names; no shell syntax. */
    public static final Pattern SAFE_TEXT = Pattern.compile("[A-Za-z0-9/][A-Za-z0-9._+~/:@-]{0,199}");

    public enum Kind {
        TEXT, CHOICE, INTEGER, NUMBER, BOOLEAN, DURATION, INTEGER_LIST, URL, PATH_TEMPLATE
    }

    /** An absolute path in which {@code {component}} and {@code {version}} are filled in; no shell syntax. */
    public static final Pattern PATH_TEMPLATE = Pattern.compile("/[A-Za-z0-9._+~/@{}-]{0,199}");

    public static SettingRule text(String name) {
        return new SettingRule(name, Kind.TEXT, 0, 0, Set.of());
    }

    public static SettingRule choice(String name, String... allowed) {
        return new SettingRule(name, Kind.CHOICE, 0, 0, Set.of(allowed));
    }

    public static SettingRule integer(String name, int min, int max) {
        return new SettingRule(name, Kind.INTEGER, min, max, Set.of());
    }

    public static SettingRule number(String name, double min, double max) {
        return new SettingRule(name, Kind.NUMBER, min, max, Set.of());
    }

    public static SettingRule bool(String name) {
        return new SettingRule(name, Kind.BOOLEAN, 0, 0, Set.of());
    }

    public static SettingRule duration(String name) {
        return new SettingRule(name, Kind.DURATION, 0, 0, Set.of());
    }

    public static SettingRule integers(String name, int min, int max) {
        return new SettingRule(name, Kind.INTEGER_LIST, min, max, Set.of());
    }

    /** An absolute path with {@code {component}} and {@code {version}} to fill in (a firmware image per component and version). */
    public static SettingRule pathTemplate(String name) {
        return new SettingRule(name, Kind.PATH_TEMPLATE, 0, 0, Set.of());
    }

    public static SettingRule url(String name) {
        return new SettingRule(name, Kind.URL, 0, 0, Set.of());
    }

    /** Reads this setting from the mapping, reporting a precise problem when the value does not fit. */
    public Optional<Object> read(YamlMapping mapping) {
        if (kind == Kind.INTEGER_LIST) {
            return readIntegers(mapping);
        }
        if (kind == Kind.INTEGER) {
            return mapping.integer(name, (int) min, (int) max).map(v -> v);
        }
        if (kind == Kind.BOOLEAN) {
            return mapping.bool(name).map(v -> v);
        }
        Optional<String> value = mapping.string(name);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get().trim();
        String path = mapping.child(name);
        SourcePosition at = mapping.positionOf(name);
        Problems problems = mapping.problems();
        switch (kind) {
            case CHOICE:
                if (!allowed.contains(text)) {
                    problems.error(at, path, "\"" + text + "\" is not allowed" + Suggestions.didYouMean(text, allowed)
                            + "; use one of " + String.join(", ", allowed.stream().sorted().toList()));
                    return Optional.empty();
                }
                return Optional.of(text);
            case NUMBER:
                try {
                    BigDecimal number = new BigDecimal(text);
                    if (number.doubleValue() < min || number.doubleValue() > max) {
                        problems.error(at, path, "\"" + text + "\" is out of range; use a number from "
                                + trim(min) + " to " + trim(max));
                        return Optional.empty();
                    }
                    return Optional.of(number.doubleValue());
                } catch (NumberFormatException e) {
                    problems.error(at, path, "\"" + text + "\" is not a number");
                    return Optional.empty();
                }
            case DURATION:
                Optional<java.time.Duration> duration = Durations.parse(text);
                if (duration.isEmpty()) {
                    problems.error(at, path, "\"" + text + "\" is not a duration; " + Durations.HINT);
                    return Optional.empty();
                }
                if (duration.get().isZero()) {
                    problems.error(at, path, "is " + text + "; it must be more than nothing (e.g. 10m), or leave it out for the"
                            + " default");
                    return Optional.empty();
                }
                return Optional.of(Durations.format(duration.get()));
            case URL:
                try {
                    URI uri = new URI(text.replace("{component}", "component").replace("{version}", "version"));
                    if (uri.getScheme() == null || !Set.of("http", "https").contains(uri.getScheme())
                            || uri.getHost() == null || text.chars().anyMatch(c -> c <= ' ' || "'\"`$;|&<>\\".indexOf(c) >= 0)) {
                        throw new URISyntaxException(text, "not an http(s) URL");
                    }
                    return Optional.of(text);
                } catch (URISyntaxException e) {
                    problems.error(at, path, "\"" + text + "\" is not an http:// or https:// URL");
                    return Optional.empty();
                }
            case PATH_TEMPLATE:
                String rest = text.replace("{component}", "").replace("{version}", "");
                if (!PATH_TEMPLATE.matcher(text).matches() || rest.contains("{") || rest.contains("}") || text.contains("..")) {
                    problems.error(at, path, "\"" + text + "\" is not an absolute path template; start with /, use letters, digits"
                            + " and . _ + ~ / @ - and the placeholders {component} and {version} only, e.g."
                            + " /srv/firmware/{component}-{version}.fwpkg");
                    return Optional.empty();
                }
                return Optional.of(text);
            default:
                if (!SAFE_TEXT.matcher(text).matches()) {
                    problems.error(at, path, "\"" + text + "\" has characters that are not allowed; use letters, "
                            + "digits and . _ + ~ / : @ - only, starting with a letter, a digit or / (an absolute path)");
                    return Optional.empty();
                }
                return Optional.of(text);
        }
    }

    private Optional<Object> readIntegers(YamlMapping mapping) {
        List<Integer> numbers = new ArrayList<>();
        boolean ok = true;
        for (YamlMapping.Scalar item : mapping.scalars(name)) {
            try {
                int value = Integer.parseInt(item.value().trim());
                if (value < min || value > max) {
                    throw new NumberFormatException();
                }
                numbers.add(value);
            } catch (NumberFormatException e) {
                mapping.problems().error(item.position(), item.path(), "\"" + item.value()
                        + "\" is not a whole number from " + trim(min) + " to " + trim(max));
                ok = false;
            }
        }
        if (!mapping.has(name) || !ok) {
            return Optional.empty();
        }
        return Optional.of(List.copyOf(numbers));
    }

    private static String trim(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Double.toString(value);
    }
}
