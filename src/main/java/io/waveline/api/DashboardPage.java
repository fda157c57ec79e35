package io.waveline.api;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a resource class whose answers are dashboard pages: a caller without a live session is sent to the login
 * page ({@link SecurityProblems}) instead of getting the API's 401 problem document.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface DashboardPage {
}
