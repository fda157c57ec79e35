package io.waveline.cli;

import picocli.CommandLine.Mixin;

/** A command on plan files without a server: {@code --inventory} ({@link OfflineFleet}). */
abstract class OfflineCommand extends CliCommand {

    @Mixin
    OfflineFleet fleet;
}
