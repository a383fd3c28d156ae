package io.cohort.api.data;

import java.time.Instant;

/**
 * One write of a participant's field; never updated, only appended.
 *
 * @param value JSON text
 * @param setBy where it came from: a page name, {@code admin:<user>}, or a code location
 */
public record FieldValue(String participantId, String key, String value, Instant setAt, String setBy) {}
