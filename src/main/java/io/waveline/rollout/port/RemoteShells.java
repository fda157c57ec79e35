package io.waveline.rollout.port;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The one {@link RemoteShell} every check and method uses: opened by the active {@link ShellTransport}. */
@ApplicationScoped
public class RemoteShells {

    @Produces
    @Singleton
    RemoteShell remoteShell(@Any Instance<ShellTransport> transports) {
        return Selectable.pick(transports, "the remote shell").open();
    }
}
