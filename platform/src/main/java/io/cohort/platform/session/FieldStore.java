package io.cohort.platform.session;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.data.FieldValue;
import io.cohort.api.data.PageVisit;
import io.cohort.api.data.ParticipantData;
import io.cohort.platform.db.Transactions;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Timestamp;
import java.util.ArrayList;
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
        tx.run(c -> {
            try (PreparedStatement ps =
                    c.prepareStatement("INSERT INTO cohort.field_value (participant_id, key, value, set_by)"
                            + " VALUES (?, ?, ?::jsonb, ?)")) {
                for (Map.Entry<String, String> e : values.entrySet()) {
                    ps.setString(1, participantId);
                    ps.setString(2, e.getKey());
                    ps.setString(3, e.getValue());
                    ps.setString(4, setBy);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
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
        return tx.run(c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT DISTINCT ON (key) key, value::text AS value FROM cohort.field_value"
                            + " WHERE participant_id = ? ORDER BY key, id DESC")) {
                ps.setString(1, participantId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString("key"), rs.getString("value"));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<FieldValue> history(String participantId, String key) {
        return tx.run(c -> {
            List<FieldValue> out = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT value::text AS value, set_at, set_by FROM cohort.field_value"
                            + " WHERE participant_id = ? AND key = ? ORDER BY id")) {
                ps.setString(1, participantId);
                ps.setString(2, key);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(new FieldValue(
                                participantId,
                                key,
                                rs.getString("value"),
                                rs.getTimestamp("set_at").toInstant(),
                                rs.getString("set_by")));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public List<PageVisit> visits(String participantId) {
        return tx.run(c -> {
            List<PageVisit> out = new ArrayList<>();
            try (PreparedStatement ps =
                    c.prepareStatement("SELECT page, entered_at, left_at FROM cohort.page_visit_times"
                            + " WHERE participant_id = ? ORDER BY id")) {
                ps.setString(1, participantId);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Timestamp left = rs.getTimestamp("left_at");
                        out.add(new PageVisit(
                                participantId,
                                rs.getString("page"),
                                rs.getTimestamp("entered_at").toInstant(),
                                left == null ? null : left.toInstant()));
                    }
                }
            }
            return out;
        });
    }
}
