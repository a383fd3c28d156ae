package io.cohort.api.event;

import java.time.Instant;

/**
 * Something that happened. {@code payload} is plain text (usually JSON), at most 7,000 bytes because events
 * cross nodes through PostgreSQL {@code NOTIFY}.
 *
 * @param topic   slash-separated name, e.g. {@code participant/status}
 * @param payload the event's data
 * @param node    the node that published it
 * @param at      when it was published
 */
public record Event(String topic, String payload, String node, Instant at) {}
