package io.cohort.api.session;

import java.util.List;

/**
 * A waiting place participants join by {@code /room/{name}/}.
 *
 * @param name      URL-safe: letters, digits, {@code -} and {@code _}
 * @param labels    the labels allowed in when {@code open} is false
 * @param capacity  how many may wait at once
 * @param open      free join (anyone, label optional) when true; restricted to {@code labels} when false
 * @param closed    arrivals are refused while true; who already holds a seat keeps it
 * @param sessionId the session it currently feeds, or null
 */
public record Room(
        String name,
        String experiment,
        List<String> labels,
        int capacity,
        boolean open,
        boolean closed,
        String sessionId) {}
