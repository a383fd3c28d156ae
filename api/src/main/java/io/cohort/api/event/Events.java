package io.cohort.api.event;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Publishes events to every {@link EventListener} on every node that shares the database.
 * Delivery is at most once and asynchronous; listeners must not rely on it for money or state.
 */
@ProviderType
public interface Events {

    /** Publishes {@code payload} under {@code topic}; throws {@link IllegalArgumentException} if it is too long. */
    void publish(String topic, String payload);
}
