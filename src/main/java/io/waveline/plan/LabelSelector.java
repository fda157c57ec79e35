package io.waveline.plan;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A Kubernetes-style label selector in its text form, as {@code kubectl -l} takes it:
 * {@code pool=h100, rack in (r01,r02), zone!=b, gpu notin (a100), nvswitch, !cordoned}. All requirements must
 * hold. {@code !=} and {@code notin} also match nodes without the label, as in Kubernetes.
 */
public record LabelSelector(List<Requirement> requirements, String text) {

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9_./]{0,251}[A-Za-z0-9])?");
    private static final Pattern VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    public boolean matches(Map<String, String> labels) {
        return requirements.stream().allMatch(r -> r.matches(labels));
    }

    @Override
    public String toString() {
        return text;
    }

    public enum Operator {
        EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, NOT_EXISTS
    }

    public record Requirement(String key, Operator operator, Set<String> values) {
        boolean matches(Map<String, String> labels) {
            String value = labels.get(key);
            switch (operator) {
                case EQUALS:
                case IN:
                    return value != null && values.contains(value);
                case NOT_EQUALS:
                case NOT_IN:
                    return value == null || !values.contains(value);
                case EXISTS:
                    return value != null;
                default:
                    return value == null;
            }
        }
    }

    /** Thrown with the 0-based offset into the selector text where it went wrong. */
    public static final class SyntaxException extends Exception {
        private final int offset;

        SyntaxException(int offset, String message) {
            super(message);
            this.offset = offset;
        }

        public int offset() {
            return offset;
        }
    }

    public static LabelSelector parse(String text) throws SyntaxException {
        List<Requirement> requirements = new ArrayList<>();
        Cursor cursor = new Cursor(text);
        cursor.skipSpaces();
        if (cursor.atEnd()) {
            throw new SyntaxException(0, "the selector is empty; write e.g. \"pool=h100\" or \"rack in (r01,r02)\"");
        }
        while (!cursor.atEnd()) {
            requirements.add(requirement(cursor));
            cursor.skipSpaces();
            if (!cursor.atEnd()) {
                cursor.expect(',', "requirements are separated by commas");
                cursor.skipSpaces();
            }
        }
        return new LabelSelector(List.copyOf(requirements), text.trim());
    }

    private static Requirement requirement(Cursor cursor) throws SyntaxException {
        if (cursor.peek() == '!') {
            cursor.next();
            cursor.skipSpaces();
            return new Requirement(key(cursor), Operator.NOT_EXISTS, Set.of());
        }
        String key = key(cursor);
        cursor.skipSpaces();
        if (cursor.atEnd() || cursor.peek() == ',') {
            return new Requirement(key, Operator.EXISTS, Set.of());
        }
        if (cursor.startsWith("==")) {
            cursor.advance(2);
            return new Requirement(key, Operator.EQUALS, Set.of(value(cursor)));
        }
        if (cursor.startsWith("!=")) {
            cursor.advance(2);
            return new Requirement(key, Operator.NOT_EQUALS, Set.of(value(cursor)));
        }
        if (cursor.startsWith("=")) {
            cursor.advance(1);
            return new Requirement(key, Operator.EQUALS, Set.of(value(cursor)));
        }
        if (cursor.startsWithWord("notin")) {
            cursor.advance(5);
            return new Requirement(key, Operator.NOT_IN, valueSet(cursor));
        }
        if (cursor.startsWithWord("in")) {
            cursor.advance(2);
            return new Requirement(key, Operator.IN, valueSet(cursor));
        }
        throw new SyntaxException(cursor.offset(),
                "expected =, ==, !=, in (...), notin (...) or a comma after label \"" + key + "\"");
    }

    private static String key(Cursor cursor) throws SyntaxException {
        int start = cursor.offset();
        String word = cursor.word();
        if (!KEY.matcher(word).matches()) {
            throw new SyntaxException(start, word.isEmpty() ? "expected a label name"
                    : "\"" + word + "\" is not a valid label name (letters, digits, '-', '_', '.', '/')");
        }
        return word;
    }

    private static String value(Cursor cursor) throws SyntaxException {
        cursor.skipSpaces();
        int start = cursor.offset();
        String word = cursor.word();
        if (!VALUE.matcher(word).matches()) {
            throw new SyntaxException(start,
                    "\"" + word + "\" is not a valid label value (up to 63 letters, digits, '-', '_', '.')");
        }
        return word;
    }

    private static Set<String> valueSet(Cursor cursor) throws SyntaxException {
        cursor.skipSpaces();
        cursor.expect('(', "a set of values is written in parentheses, e.g. in (r01,r02)");
        Set<String> values = new LinkedHashSet<>();
        while (true) {
            cursor.skipSpaces();
            values.add(value(cursor));
            cursor.skipSpaces();
            if (cursor.peek() == ')') {
                cursor.next();
                break;
            }
            cursor.expect(',', "values in a set are separated by commas and the set ends with ')'");
        }
        if (values.contains("")) {
            values.remove("");
            if (values.isEmpty()) {
                throw new SyntaxException(cursor.offset() - 1, "the set of values is empty");
            }
        }
        return Collections.unmodifiableSet(values);
    }

    public Set<String> keys() {
        return requirements.stream().map(Requirement::key).collect(Collectors.toCollection(LinkedHashSet::new));
    }

    private static final class Cursor {
        private final String text;
        private int at;

        Cursor(String text) {
            this.text = text;
        }

        boolean atEnd() {
            return at >= text.length();
        }

        char peek() {
            return atEnd() ? '\0' : text.charAt(at);
        }

        void next() {
            at++;
        }

        void advance(int n) {
            at += n;
        }

        int offset() {
            return at;
        }

        boolean startsWith(String prefix) {
            return text.startsWith(prefix, at);
        }

        boolean startsWithWord(String word) {
            if (!text.startsWith(word, at)) {
                return false;
            }
            int after = at + word.length();
            return after >= text.length() || text.charAt(after) == ' ' || text.charAt(after) == '(';
        }

        void skipSpaces() {
            while (!atEnd() && Character.isWhitespace(peek())) {
                at++;
            }
        }

        String word() {
            int start = at;
            while (!atEnd() && "=!,() ".indexOf(peek()) < 0 && !Character.isWhitespace(peek())) {
                at++;
            }
            return text.substring(start, at);
        }

        void expect(char c, String hint) throws SyntaxException {
            if (peek() != c) {
                throw new SyntaxException(at, "expected '" + c + "' here: " + hint);
            }
            at++;
        }
    }
}
