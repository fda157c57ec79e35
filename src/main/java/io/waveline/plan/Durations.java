package io.waveline.plan;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the duration form plans use: {@code 90s}, {@code 30m}, {@code 2h}, {@code 1h30m}, {@code 1d}. */
public final class Durations {

    private static final Pattern FORM = Pattern.compile("(?:(\\d{1,4})d)?(?:(\\d{1,5})h)?(?:(\\d{1,6})m)?(?:(\\d{1,7})s)?");

    public static final String HINT = "write a duration such as 90s, 30m, 2h or 1h30m";

    private Durations() {
    }

    public static Optional<Duration> parse(String text) {
        String trimmed = text.trim();
        Matcher matcher = FORM.matcher(trimmed);
        if (trimmed.isEmpty() || !matcher.matches()) {
            return Optional.empty();
        }
        Duration duration = Duration.ofDays(group(matcher, 1)).plusHours(group(matcher, 2))
                .plusMinutes(group(matcher, 3)).plusSeconds(group(matcher, 4));
        return Optional.of(duration);
    }

    /** The shortest plan form of a duration, e.g. {@code 1h30m}. */
    public static String format(Duration duration) {
        if (duration.isZero()) {
            return "0s";
        }
        StringBuilder text = new StringBuilder();
        long seconds = duration.getSeconds();
        long days = seconds / 86_400;
        long hours = seconds % 86_400 / 3_600;
        long minutes = seconds % 3_600 / 60;
        long rest = seconds % 60;
        if (days > 0) {
            text.append(days).append('d');
        }
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(minutes).append('m');
        }
        if (rest > 0) {
            text.append(rest).append('s');
        }
        return text.toString();
    }

    private static long group(Matcher matcher, int group) {
        String value = matcher.group(group);
        return value == null ? 0 : Long.parseLong(value);
    }
}
