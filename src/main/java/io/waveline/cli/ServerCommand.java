package io.waveline.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that talks to a server: {@code --server}, {@code --token} and {@code -o} ({@link Server}, {@link OutputFormat}). */
abstract class ServerCommand implements Callable<Integer> {

    @Mixin
    Server server;

    @Mixin
    OutputFormat output;

    @Spec
    CommandSpec spec;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
