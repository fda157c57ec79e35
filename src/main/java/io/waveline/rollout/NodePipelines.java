package io.waveline.rollout;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The engine's {@link NodePipeline}, with the limits of {@code waveline.engine.*}, and its {@link BaselinesAhead}. */
@ApplicationScoped
public class NodePipelines {

    @Produces
    @Singleton
    NodePipeline pipeline(EngineSettings settings) {
        return new NodePipeline(new NodePipeline.Policy(settings.maxAttempts(), settings.retryBase(), settings.pollInterval(),
                settings.installTimeout()));
    }

    @Produces
    @Singleton
    BaselinesAhead baselinesAhead(EngineSettings settings) {
        return new BaselinesAhead(settings.lookAheadMaxAge());
    }
}
