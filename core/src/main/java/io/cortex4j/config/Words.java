package io.cortex4j.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The config words of an enum constant, or of one record of a sealed interface chosen by a {@code type}
 * key: the first is the one written into resolved configs, the others are accepted as well. Without
 * it, an enum constant's word is its name in lower case with '-' for '_'.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.TYPE})
public @interface Words {
    String[] value();
}
