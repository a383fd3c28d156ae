package io.cohort.api.data;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;

/** Service: a participant's fields, kept as append-only history. */
@ProviderType
public interface ParticipantData {

    /**
     * Appends one value.
     *
     * @param value JSON text (a number, string, boolean, array or object)
     * @param setBy a page name, {@code admin:<user>}, or a code location such as {@code PrisonersDilemma.java:42}
     * @throws IllegalArgumentException when {@code value} is not JSON
     */
    void set(String participantId, String key, String value, String setBy);

    /** The latest value of every field, as JSON text. */
    Map<String, String> current(String participantId);

    /** Every value {@code key} has had, oldest first. */
    List<FieldValue> history(String participantId, String key);

    List<PageVisit> visits(String participantId);
}
