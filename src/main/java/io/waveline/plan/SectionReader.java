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

/** What every section reader of a plan shares: where problems go, the declared waves, and the common field readers. */
abstract class SectionReader {

    final Problems problems;
    final List<String> declaredWaves;

    SectionReader(Problems problems, List<String> declaredWaves) {
        this.problems = problems;
        this.declaredWaves = declaredWaves;
    }

    Optional<Duration> duration(String text, YamlMapping mapping, String field) {
        Optional<Duration> duration = Durations.parse(text);
        if (duration.isEmpty()) {
            problems.error(mapping.positionOf(field), mapping.child(field), "\"" + text + "\" is not a duration; "
                    + Durations.HINT);
        }
        return duration;
    }

    Optional<Quantity> quantity(String text, YamlMapping mapping, String field, int minimum) {
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

    Optional<LabelSelector> selector(YamlMapping mapping, String field) {
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

    boolean validLabelKey(String key, YamlMapping mapping, String field) {
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

    List<String> nodeNames(YamlMapping mapping, String field) {
        List<String> names = new ArrayList<>();
        for (YamlMapping.Scalar node : mapping.scalars(field)) {
            if (!Components.NODE_NAME.matcher(node.value()).matches()) {
                problems.error(node.position(), node.path(), "\"" + node.value() + "\" is not a valid node name");
            } else if (names.contains(node.value())) {
                problems.error(node.position(), node.path(), "\"" + node.value() + "\" is listed twice");
            } else {
                names.add(node.value());
            }
        }
        return List.copyOf(names);
    }
}
