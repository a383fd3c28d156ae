package io.cohort.api.event;

/**
 * Whiteboard service: register it with the property {@value #TOPIC} (one topic, or a prefix ending in
 * {@code *}, or several values) and the host calls it for every matching event, on any node.
 */
@FunctionalInterface
public interface EventListener {

    /** Service property naming the topics to receive. */
    String TOPIC = "cohort.event.topic";

    void onEvent(Event event);
}
