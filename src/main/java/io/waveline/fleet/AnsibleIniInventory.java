package io.waveline.fleet;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.waveline.plan.Problems;
import io.waveline.plan.SourcePosition;

/**
 * The INI form of an Ansible inventory: {@code [group]} host lines with {@code key=value} variables,
 * {@code [group:vars]} and {@code [group:children]} sections, hosts before any section in {@code ungrouped}, and
 * host ranges such as {@code gpu-[01:16]} or {@code rack-[a:d]}.
 */
final class AnsibleIniInventory {

    private static final Pattern SECTION = Pattern.compile("\\[([A-Za-z0-9_.-]+)(?::(vars|children))?\\]");
    private static final Pattern GROUP_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");
    private static final Pattern RANGE = Pattern.compile("\\[([0-9]+|[a-z]):([0-9]+|[a-z])(?::([0-9]+))?\\]");
    private static final int MAX_HOSTS_PER_RANGE = 10_000;

    private AnsibleIniInventory() {
    }

    static AnsibleInventory.Model read(String text, Problems problems) {
        AnsibleInventory.Model model = new AnsibleInventory.Model();
        model.group("all");
        model.group("ungrouped");
        String group = "ungrouped";
        String kind = "hosts";
        String[] lines = text.split("\\R", -1);
        for (int i = 0; i < lines.length; i++) {
            int lineNumber = i + 1;
            String line = stripComment(lines[i]).strip();
            if (line.isEmpty()) {
                continue;
            }
            SourcePosition at = new SourcePosition(lineNumber, 1);
            if (line.startsWith("[")) {
                Matcher section = SECTION.matcher(line);
                if (!section.matches()) {
                    problems.error(at, line, "is not a section header; use [group], [group:vars] or [group:children]");
                    continue;
                }
                group = section.group(1);
                kind = section.group(2) == null ? "hosts" : section.group(2);
                model.group(group);
                continue;
            }
            switch (kind) {
                case "vars":
                    int equals = line.indexOf('=');
                    if (equals <= 0) {
                        problems.error(at, "[" + group + ":vars]", "\"" + line + "\" is not key=value");
                    } else {
                        String key = line.substring(0, equals).strip();
                        model.groupVars.get(group).put(key, new AnsibleInventory.Var(unquote(line.substring(equals + 1).strip()),
                                at, "[" + group + ":vars] " + key));
                    }
                    break;
                case "children":
                    if (!GROUP_NAME.matcher(line).matches()) {
                        problems.error(at, "[" + group + ":children]", "\"" + line + "\" is not a group name");
                    } else {
                        model.group(line);
                        model.children.get(group).add(line);
                    }
                    break;
                default:
                    hostLine(line, group, at, model, problems);
            }
        }
        return model;
    }

    private static void hostLine(String line, String group, SourcePosition at, AnsibleInventory.Model model,
            Problems problems) {
        List<String> tokens = tokens(line);
        String pattern = tokens.get(0);
        List<String> hosts = expand(pattern, at, problems);
        for (String host : hosts) {
            model.host(host, group, at);
            for (String token : tokens.subList(1, tokens.size())) {
                int equals = token.indexOf('=');
                if (equals <= 0) {
                    problems.error(at, host, "\"" + token + "\" is not key=value");
                    continue;
                }
                String key = token.substring(0, equals);
                model.hostVars.get(host).put(key, new AnsibleInventory.Var(unquote(token.substring(equals + 1)), at,
                        host + " " + key));
            }
        }
    }

    static List<String> expand(String pattern, SourcePosition at, Problems problems) {
        Matcher range = RANGE.matcher(pattern);
        if (!range.find()) {
            return List.of(pattern);
        }
        String prefix = pattern.substring(0, range.start());
        String suffix = pattern.substring(range.end());
        String from = range.group(1);
        String to = range.group(2);
        int step = range.group(3) == null ? 1 : Integer.parseInt(range.group(3));
        List<String> hosts = new ArrayList<>();
        boolean numeric = Character.isDigit(from.charAt(0));
        if (numeric != Character.isDigit(to.charAt(0)) || step < 1) {
            problems.error(at, pattern, "is not a valid host range; write e.g. gpu-[01:16] or rack-[a:d]");
            return List.of();
        }
        long start = numeric ? Long.parseLong(from) : from.charAt(0);
        long end = numeric ? Long.parseLong(to) : to.charAt(0);
        if (end < start || (end - start) / step + 1 > MAX_HOSTS_PER_RANGE) {
            problems.error(at, pattern, "is not a valid host range: the end must not be before the start, and a "
                    + "range holds at most " + MAX_HOSTS_PER_RANGE + " hosts");
            return List.of();
        }
        for (long value = start; value <= end; value += step) {
            String middle = numeric ? String.format("%0" + from.length() + "d", value) : String.valueOf((char) value);
            hosts.addAll(expand(prefix + middle + suffix, at, problems));
        }
        return hosts;
    }

    private static List<String> tokens(String line) {
        List<String> tokens = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                current.append(c);
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
                current.append(c);
            } else if (Character.isWhitespace(c)) {
                if (current.length() > 0) {
                    tokens.add(current.toString());
                    current.setLength(0);
                }
            } else {
                current.append(c);
            }
        }
        if (current.length() > 0) {
            tokens.add(current.toString());
        }
        return tokens;
    }

    private static String stripComment(String line) {
        String trimmed = line.stripLeading();
        if (trimmed.startsWith("#") || trimmed.startsWith(";")) {
            return "";
        }
        int hash = line.indexOf(" #");
        return hash >= 0 ? line.substring(0, hash) : line;
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && (value.startsWith("\"") && value.endsWith("\"")
                || value.startsWith("'") && value.endsWith("'"))) {
            return value.substring(1, value.length() - 1);
        }
        return value;
    }
}
