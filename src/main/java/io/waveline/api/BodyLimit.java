package io.waveline.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The largest request body an endpoint takes, in bytes, below {@code quarkus.http.limits.max-body-size} (which caps
 * every request). A larger one is refused with 413 before it is read ({@link BodyLimits}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface BodyLimit {

    /** A command without a body (pause, approve, refresh, …). */
    long NONE = 4 * 1024;
    /** A Slack or Mattermost request. */
    long CHAT = 256 * 1024;
    /** A plan in YAML: at most 1,000,000 characters (DocumentLimits), with room for a few multi-byte ones. */
    long PLAN = 1_100_000;

    long value();
}
