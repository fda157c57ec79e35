package io.waveline.cli;

import picocli.CommandLine.Mixin;

/** A command that talks to a server: {@code --server} and {@code --token} ({@link Server}). */
abstract class ServerCommand extends CliCommand {

    @Mixin
    Server server;
}
