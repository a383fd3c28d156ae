package ${package}.internal;

import java.time.Instant;

/** One row of the plugin's {@code greeting} table (columns in this order, so MyBatis maps by constructor). */
public record Greeting(long id, String message, String source, Instant receivedAt) {}
