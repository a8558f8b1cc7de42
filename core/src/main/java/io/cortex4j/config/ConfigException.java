package io.cortex4j.config;

/** A config the user wrote is wrong: the message names the file, the line and the key. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
