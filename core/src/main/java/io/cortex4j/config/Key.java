package io.cortex4j.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How one component of a config record is read from YAML by the {@link Binder}: its default (as
 * YAML text), whether it may be absent, its bounds and its description. A component without this
 * annotation is required.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Key {
    /** {@link #def()} of a key that must be given. */
    String REQUIRED = "\u0000required";
    /** {@link #def()} of a key that may be left out: the component is then null. */
    String ABSENT = "\u0000absent";

    /** The default as YAML text ({@code "0.01"}, {@code "[-1, 1]"}, {@code "{}"}), or REQUIRED or ABSENT. */
    String def() default REQUIRED;

    /** Numbers (and every element of a number list) must be ≥ this. */
    double min() default Double.NEGATIVE_INFINITY;

    /** Numbers must be > this (NaN: no bound). */
    double above() default Double.NaN;

    /** Numbers must be ≤ this. */
    double max() default Double.POSITIVE_INFINITY;

    /**
     * A number list that may also be given as one number standing for every element ({@code tauM: 1.0}
     * for all units of a layer); the record expands it. Without this, a single number where a list is
     * expected is an error, never silently repeated.
     */
    boolean uniform() default false;

    /** The first component of a record that may be written as just this value ({@code task: classification}). */
    boolean shorthand() default false;

    /** What the key means, with its unit. */
    String doc() default "";
}
