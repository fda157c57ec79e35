package io.waveline.chatops;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A command typed in chat ({@code /waveline <verb> [argument]}), parsed strictly: each verb takes a fixed number of
 * arguments of a fixed shape (a plan name, a rollout id); anything else is a {@link Usage} with the reason and the
 * list of commands. Pure.
 */
public sealed interface ChatCommand {

    Pattern PLAN_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    Pattern ROLLOUT_ID = Pattern.compile("[0-9]{1,18}");

    String USAGE = """
            /waveline help                 this list
            /waveline plans                the plans and whether they are valid
            /waveline preview <plan>       waves, nodes and estimated duration of a plan
            /waveline start <plan>         start a rollout of a plan
            /waveline status [rollout]     unfinished rollouts, or one rollout
            /waveline pause <rollout>      no new node starts
            /waveline resume <rollout>
            /waveline abort <rollout>      skip the nodes not started; started ones finish
            /waveline approve <rollout>    let the waiting wave run
            /waveline rollback <rollout>   return every upgraded node to its previous versions""";

    record Help() implements ChatCommand {
    }

    record Plans() implements ChatCommand {
    }

    record Preview(String plan) implements ChatCommand {
    }

    record Start(String plan) implements ChatCommand {
    }

    /** {@code rollout} 0: every unfinished rollout. */
    record Status(long rollout) implements ChatCommand {
    }

    /** pause, resume, abort, approve, rollback. */
    record Act(Verb verb, long rollout) implements ChatCommand {
    }

    record Usage(String problem) implements ChatCommand {
    }

    /**
     * An Approve button: the approval it answers, named by the rollout and the id of the {@code wave.awaiting-approval}
     * event that asked for it, so a click replayed later cannot approve another wave. Made by buttons only.
     */
    record ApproveRequest(long rollout, long request) implements ChatCommand {
    }

    /** Whether the command changes a rollout (so a replay of it must not run again). */
    static boolean changesState(ChatCommand command) {
        return command instanceof Start || command instanceof Act || command instanceof ApproveRequest;
    }

    enum Verb {
        PAUSE, RESUME, ABORT, APPROVE, ROLLBACK;

        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    static ChatCommand parse(String text) {
        List<String> words = text == null || text.isBlank() ? List.of() : List.of(text.strip().split("\\s+"));
        if (words.isEmpty()) {
            return new Help();
        }
        String verb = words.get(0).toLowerCase(Locale.ROOT);
        List<String> args = words.subList(1, words.size());
        switch (verb) {
            case "help":
                return args.isEmpty() ? new Help() : arity(verb, 0, args);
            case "plans":
                return args.isEmpty() ? new Plans() : arity(verb, 0, args);
            case "preview", "start": {
                if (args.size() != 1) {
                    return arity(verb, 1, args);
                }
                if (!PLAN_NAME.matcher(args.get(0)).matches()) {
                    return new Usage("\"" + clip(args.get(0)) + "\" is not a plan name (letters, digits, . _ -)");
                }
                return verb.equals("start") ? new Start(args.get(0)) : new Preview(args.get(0));
            }
            case "status": {
                if (args.size() > 1) {
                    return arity(verb, 1, args);
                }
                if (args.isEmpty()) {
                    return new Status(0);
                }
                return id(args.get(0)) ? new Status(Long.parseLong(args.get(0))) : notAnId(args.get(0));
            }
            case "pause", "resume", "abort", "approve", "rollback": {
                if (args.size() != 1) {
                    return arity(verb, 1, args);
                }
                return id(args.get(0)) ? new Act(Verb.valueOf(verb.toUpperCase(Locale.ROOT)), Long.parseLong(args.get(0)))
                        : notAnId(args.get(0));
            }
            default:
                return new Usage("\"" + clip(words.get(0)) + "\" is not a command");
        }
    }

    private static boolean id(String text) {
        return ROLLOUT_ID.matcher(text).matches() && Long.parseLong(text) > 0;
    }

    private static Usage notAnId(String text) {
        return new Usage("\"" + clip(text) + "\" is not a rollout id (a number, e.g. 12)");
    }

    private static Usage arity(String verb, int wanted, List<String> args) {
        return new Usage(verb + " takes " + (wanted == 0 ? "no argument" : "one argument") + ", not " + args.size());
    }

    private static String clip(String text) {
        return text.length() > 40 ? text.substring(0, 40) + "…" : text;
    }
}
