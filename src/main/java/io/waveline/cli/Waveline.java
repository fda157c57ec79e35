package io.waveline.cli;

import java.io.PrintWriter;
import java.util.List;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code waveline} command line: plan files checked and previewed offline with the service's own parser,
 * planner and estimator, and rollouts started, watched and steered on a server over its REST API. Exit codes:
 * {@link ExitCodes}.
 */
@Command(name = "waveline", mixinStandardHelpOptions = true, versionProvider = Waveline.Version.class,
        description = "GPU driver and firmware rollouts: check plans offline, start, watch and steer rollouts on a server.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {
                "0:done; a watched rollout SUCCEEDED", "1:a plan is not valid", "2:the command line is wrong",
                "3:the server cannot be reached or failed (5xx)", "4:the server refused the token (401, 403)",
                "5:the server refused the request (400, 404, 409, 422)", "10:a watched rollout FAILED",
                "11:a watched rollout was ROLLED_BACK", "12:a watched rollout was ABORTED" })
public final class Waveline implements Runnable {

    @picocli.CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "give a command: plan, rollout or nodes");
    }

    public static void main(String[] args) {
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The whole command tree, writing to {@code out} and {@code err}. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine root = new CommandLine(new Waveline());
        CommandLine plan = new CommandLine(new Group("plan"));
        plan.getCommandSpec().usageMessage().description("Plan files, offline: validate them, preview them against an inventory.");
        plan.addSubcommand("validate", new PlanValidate());
        plan.addSubcommand("preview", new PlanPreview());
        root.addSubcommand("plan", plan);
        CommandLine rollout = new CommandLine(new Group("rollout"));
        rollout.getCommandSpec().usageMessage().description("Rollouts on a server: start, status, watch, events, approve, pause, resume, "
                + "abort, rollback.");
        rollout.addSubcommand("start", new RolloutStart());
        rollout.addSubcommand("status", new RolloutStatus());
        rollout.addSubcommand("watch", new RolloutWatch());
        rollout.addSubcommand("events", new RolloutEvents());
        for (String verb : List.of("approve", "pause", "resume", "abort", "rollback")) {
            rollout.addSubcommand(verb, new RolloutVerb(verb));
        }
        root.addSubcommand("rollout", rollout);
        root.addSubcommand("nodes", new NodesList());
        root.setOut(out);
        root.setErr(err);
        root.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliFailure failure) {
                line.getErr().println("waveline: " + failure.getMessage());
                return failure.exitCode();
            }
            line.getErr().println("waveline: " + e);
            return ExitCodes.SERVER;
        });
        return root;
    }

    /** {@code waveline plan} and {@code waveline rollout}: a group of commands, not one itself. */
    @Command(mixinStandardHelpOptions = true)
    static final class Group implements Runnable {
        private final String name;

        @picocli.CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Group(String name) {
            this.name = name;
        }

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "give a " + name + " command: "
                    + String.join(", ", spec.subcommands().keySet()));
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Waveline.class.getPackage().getImplementationVersion();
            return new String[] { "waveline " + (version == null ? "(development build)" : version) };
        }
    }
}
