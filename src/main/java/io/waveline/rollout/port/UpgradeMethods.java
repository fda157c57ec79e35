package io.waveline.rollout.port;

import java.util.EnumMap;
import java.util.Map;

import io.waveline.plan.MethodSpec.Method;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

/** The upgrade methods, keyed by the plan's {@link Method}: every method of the plan language has one adapter. */
@ApplicationScoped
public class UpgradeMethods {

    @Inject
    @Any
    Instance<Upgrader> adapters;

    private final Map<Method, Upgrader> byMethod = new EnumMap<>(Method.class);

    @PostConstruct
    void index() {
        for (Upgrader adapter : adapters) {
            Upgrader earlier = byMethod.put(adapter.method(), adapter);
            if (earlier != null) {
                throw new IllegalStateException("two adapters for method " + adapter.method().word() + ": "
                        + earlier.getClass().getName() + " and " + adapter.getClass().getName());
            }
        }
        for (Method method : Method.values()) {
            if (!byMethod.containsKey(method)) {
                throw new IllegalStateException("no adapter for method " + method.word());
            }
        }
    }

    public Upgrader of(Method method) {
        return byMethod.get(method);
    }
}
