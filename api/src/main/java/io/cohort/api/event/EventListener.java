package io.cohort.api.event;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: register it with the property {@value #TOPIC} (one topic, or a prefix ending in
 * {@code *}, or several values) and the host calls it for every matching event, on any node.
 */
@FunctionalInterface
@ConsumerType
public interface EventListener {

    /** Service property naming the topics to receive. */
    String TOPIC = "cohort.event.topic";

    void onEvent(Event event);
}
