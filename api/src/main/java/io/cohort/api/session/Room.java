package io.cohort.api.session;

import java.util.List;

/**
 * A waiting place participants join by {@code /room/{name}/}.
 *
 * @param labels    the labels allowed in when {@code open} is false
 * @param sessionId the session it currently feeds, or null
 */
public record Room(String name, String experiment, List<String> labels, int capacity, boolean open,
                   String sessionId) {
}
