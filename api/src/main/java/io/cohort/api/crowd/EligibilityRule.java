package io.cohort.api.crowd;

import java.util.List;

/**
 * A condition a worker must meet to take a posting, on one of our qualifications or a market's own (e.g. MTurk's
 * {@code 000000000000000000L0} approval rate, {@code 00000000000000000071} locale).
 * <p>
 * Prolific knows membership only: {@code Exists} on a qualification (a participant group) is an allow list,
 * {@code DoesNotExist} a block list; it refuses other comparators.
 *
 * @param qualificationId a {@link Qualification#id()} or a market's own id
 * @param comparator e.g. {@code GreaterThanOrEqualTo}, {@code In}, {@code Exists}, {@code DoesNotExist}
 * @param values compared scores; empty for {@code Exists}/{@code DoesNotExist} and locale rules
 * @param countries ISO 3166 country codes for a locale rule; empty otherwise
 */
public record EligibilityRule(
        String qualificationId, String comparator, List<Integer> values, List<String> countries) {}
