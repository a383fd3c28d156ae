package io.cohort.platform.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.data.FieldValue;
import io.cohort.api.data.PageVisit;
import io.cohort.api.data.ParticipantData;
import io.cohort.platform.db.Transactions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** {@link ParticipantData} over {@code cohort.field_value}: every write a new row, never an update. */
@Singleton
public final class FieldStore implements ParticipantData {

    static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,99}");

    private final Transactions tx;
    private final LiveFeed live;

    @Inject
    public FieldStore(Transactions tx, LiveFeed live) {
        this.tx = tx;
        this.live = live;
    }

    @Override
    public void set(String participantId, String key, String value, String setBy) {
        setAll(participantId, Map.of(key, value), setBy);
    }

    /** Appends several values in one statement batch (a page submit). */
    public void setAll(String participantId, Map<String, String> values, String setBy) {
        write(participantId, values, setBy, false);
    }

    /**
     * One more record of the list {@code key} ({@code cohort.append}): kept like a set value, and marked so the
     * records of a key come out as a table, one row each.
     */
    public void appendRecord(String participantId, String key, String record, String setBy) {
        write(participantId, Map.of(key, record), setBy, true);
    }

    private void write(String participantId, Map<String, String> values, String setBy, boolean record) {
        values.forEach(FieldStore::check);
        if (!values.isEmpty()) {
            List<FieldMapper.Value> rows = values.entrySet().stream()
                    .map(e -> new FieldMapper.Value(e.getKey(), e.getValue()))
                    .toList();
            tx.mapper(FieldMapper.class, m -> m.append(participantId, rows, setBy, record));
        }
        live.changed(participantId);
    }

    private static final String KEPT = "Cohort keeps it itself";

    /**
     * The names the host writes (a participant's columns, and the fields it keeps beside them), with what does
     * that instead. Neither a page nor the admin's "Set field" may set them: a field "status" would make the data
     * view and the exports disagree with the participant's real status.
     */
    public static final Map<String, String> HOST_OWNED = Map.ofEntries(
            Map.entry("status", "use Drop out or End on the session page; payments set APPROVED, REJECTED, BONUSED"),
            Map.entry("condition", "conditions are assigned when a participant starts (the experiment's conditions)"),
            Map.entry("group", "use Group or Ungroup on the session page"),
            Map.entry("group_name", "use Group or Ungroup on the session page"),
            Map.entry("bonus", "the experiment's code sets a bonus (Participants.setBonus); Payments pays it"),
            Map.entry("bonus_cents", "the experiment's code sets a bonus (Participants.setBonus); Payments pays it"),
            Map.entry("label", "a label comes from the room the participant joined"),
            Map.entry("page", "use Advance, Revert or End on the session page"),
            Map.entry("page_index", "use Advance, Revert or End on the session page"),
            Map.entry("id", KEPT),
            Map.entry("name", KEPT),
            Map.entry("token", KEPT),
            Map.entry("session_id", KEPT),
            Map.entry("experiment", KEPT),
            Map.entry("code_version", KEPT),
            Map.entry("provider", KEPT),
            Map.entry("worker_id", KEPT),
            Map.entry("assignment_id", KEPT),
            Map.entry("hit_id", KEPT),
            Map.entry("mode", KEPT),
            Map.entry("online", KEPT),
            Map.entry("last_seen", KEPT),
            Map.entry("started_at", KEPT),
            Map.entry("completed_at", KEPT),
            Map.entry("created_at", KEPT),
            Map.entry("updated_at", KEPT));

    /** Refuses a name the host owns, saying what sets it instead. */
    public static void checkNotHostOwned(String key) {
        String instead = key == null ? null : HOST_OWNED.get(key.toLowerCase(java.util.Locale.ROOT));
        if (instead != null) {
            throw new IllegalArgumentException(
                    "key '" + key + "' is written by Cohort and cannot be set as a field: " + instead);
        }
    }

    /** Throws an IllegalArgumentException naming the key when it or the JSON value is not acceptable. */
    public static void check(String key, String value) {
        if (key == null || !KEY.matcher(key).matches()) {
            throw new IllegalArgumentException(
                    "field key '" + key + "': use letters, digits, _ . - (at most 100), starting with a letter or _");
        }
        try {
            if (value == null || JSON.readTree(value) == null) {
                throw new IllegalArgumentException("field " + key + ": no value");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("field " + key + ": not JSON: " + e.getOriginalMessage());
        }
    }

    @Override
    public Map<String, String> current(String participantId) {
        Map<String, String> out = new LinkedHashMap<>();
        for (FieldMapper.Value v : tx.mapper(FieldMapper.class, m -> m.current(participantId))) {
            out.put(v.key(), v.value());
        }
        return out;
    }

    @Override
    public List<FieldValue> history(String participantId, String key) {
        return tx.mapper(FieldMapper.class, m -> m.history(participantId, key));
    }

    @Override
    public List<PageVisit> visits(String participantId) {
        return tx.mapper(FieldMapper.class, m -> m.visits(participantId));
    }
}
