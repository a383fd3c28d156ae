package io.cohort.plugin.mturk.internal;

import io.cohort.api.crowd.Qualification;
import java.time.Instant;

/**
 * A row of {@code qualification_type}: a qualification type we created (columns in this order, so MyBatis maps by
 * constructor). Public: the tab's templates read it. Beside the api's {@link Qualification}, MTurk's keywords.
 */
public record StoredQualification(
        String id, String name, String description, String keywords, boolean active, Instant created) {

    Qualification qualification() {
        return new Qualification(id, name, description, active, created);
    }
}
