package io.cohort.platform;

/** Start-up cannot go on; the message is one line that names the key, value or address at fault. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
