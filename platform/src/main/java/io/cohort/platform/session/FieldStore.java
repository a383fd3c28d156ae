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
        values.forEach(FieldStore::check);
        if (!values.isEmpty()) {
            List<FieldMapper.Value> rows = values.entrySet().stream()
                    .map(e -> new FieldMapper.Value(e.getKey(), e.getValue()))
                    .toList();
            tx.mapper(FieldMapper.class, m -> m.append(participantId, rows, setBy));
        }
        live.changed(participantId);
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
