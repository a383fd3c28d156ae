package io.cohort.api.data;

import java.time.Instant;

public record PageVisit(String participantId, String page, Instant enteredAt, Instant leftAt) {}
