package io.waveline.rollout.port;

/** A way to reach the nodes' shells (sshj to the real fleet; the simulator's hosts): it opens the {@link RemoteShell}. */
public interface ShellTransport extends Selectable {

    RemoteShell open();
}
