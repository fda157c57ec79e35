package io.waveline.rollout;

import java.net.InetAddress;
import java.util.UUID;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** This replica's name: {@code waveline.engine.replica-id}, else the host name. Leases, runs and events carry it. */
@ApplicationScoped
public class Replica {

    @Inject
    EngineSettings settings;

    private String id;

    @PostConstruct
    void name() {
        id = settings.replicaId().orElseGet(Replica::hostName);
    }

    public String id() {
        return id;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "replica-" + UUID.randomUUID();
        }
    }
}
