package io.cohort.api.crowd;

import java.util.List;

/**
 * A condition a worker must meet, on one of our qualification types or a system one (e.g. MTurk's
 * {@code 000000000000000000L0} approval rate, {@code 00000000000000000071} locale).
 *
 * @param comparator the provider's comparator, e.g. {@code GreaterThanOrEqualTo}, {@code In}, {@code Exists}
 * @param integerValues compared values; empty for {@code Exists}/{@code DoesNotExist} and locale requirements
 * @param countries ISO 3166 country codes for a locale requirement; empty otherwise
 */
public record QualificationRequirement(
        String typeId, String comparator, List<Integer> integerValues, List<String> countries) {}
