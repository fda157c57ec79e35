package io.waveline.plan;

/** One component of the bundle and the version a plan moves it to. */
public record ComponentTarget(String component, String version) {
}
