package io.cortex4j.config;

/** A config (or a command-line override of it) that cannot be used; the message names the file, line and key. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
