package io.waveline.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command on plan files without a server: {@code --inventory} and {@code -o} ({@link OfflineFleet}, {@link OutputFormat}). */
abstract class OfflineCommand implements Callable<Integer> {

    @Mixin
    OfflineFleet fleet;

    @Mixin
    OutputFormat output;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }
}
