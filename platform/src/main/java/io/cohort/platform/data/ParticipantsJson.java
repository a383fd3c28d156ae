package io.cohort.platform.data;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * A JSON array of participants, each with its full field history (oldest first) and then its current fields,
 * written as rows arrive: only one participant's latest values are held at a time. Asked with the plugins' tables,
 * it becomes {@code {"participants": [...], "tables": {...}}}; without, it stays the bare array earlier readers
 * expect.
 */
final class ParticipantsJson {

    private static final JsonFactory FACTORY = new JsonFactory();

    private ParticipantsJson() {}

    /** @param tables the plugins' tables to add, or null for the bare array */
    static void write(DataSource db, SessionScope scope, ExportTables tables, OutputStream out) throws Exception {
        JsonGenerator json = FACTORY.createGenerator(out, JsonEncoding.UTF8);
        if (tables != null) {
            json.writeStartObject();
            json.writeFieldName("participants");
        }
        participants(db, scope, json);
        if (tables != null) {
            tables.json(scope, json);
            json.writeEndObject();
        }
        json.flush();
    }

    private static void participants(DataSource db, SessionScope scope, JsonGenerator json) throws Exception {
        json.writeStartArray();
        String[] current = {null};
        Map<String, String> latest = new TreeMap<>();
        Cursor.each(
                db,
                "SELECT p.session_id, p.id, p.name, p.status, p.mode, p.worker_id, p.condition,"
                        + " p.code_version, p.bonus_cents, p.page_index, p.created_at, p.updated_at,"
                        + " fv.key, fv.value::text AS json, fv.set_at, fv.set_by"
                        + " FROM cohort.participant p LEFT JOIN cohort.field_value fv ON fv.participant_id = p.id"
                        + scope.where() + " ORDER BY " + scope.order() + ", fv.id",
                scope.args(),
                rs -> {
                    String id = rs.getString("id");
                    if (!id.equals(current[0])) {
                        if (current[0] != null) {
                            end(json, latest);
                        }
                        current[0] = id;
                        json.writeStartObject();
                        json.writeStringField("id", id);
                        json.writeStringField("session", rs.getString("session_id"));
                        json.writeStringField("name", rs.getString("name"));
                        json.writeStringField("status", rs.getString("status"));
                        json.writeStringField("mode", Cells.mode(rs.getString("mode")));
                        json.writeStringField("workerId", rs.getString("worker_id"));
                        json.writeStringField("condition", rs.getString("condition"));
                        json.writeStringField("codeVersion", rs.getString("code_version"));
                        json.writeStringField("bonus", Cells.money(rs.getLong("bonus_cents")));
                        json.writeNumberField("pageIndex", rs.getInt("page_index"));
                        json.writeStringField("createdAt", Cells.time(rs, "created_at"));
                        json.writeStringField("updatedAt", Cells.time(rs, "updated_at"));
                        json.writeArrayFieldStart("history");
                    }
                    String key = rs.getString("key");
                    if (key != null) {
                        String value = rs.getString("json");
                        latest.put(key, value);
                        json.writeStartObject();
                        json.writeStringField("key", key);
                        json.writeFieldName("value");
                        json.writeRawValue(value);
                        json.writeStringField("setAt", Cells.time(rs, "set_at"));
                        json.writeStringField("setBy", rs.getString("set_by"));
                        json.writeEndObject();
                    }
                });
        if (current[0] != null) {
            end(json, latest);
        }
        json.writeEndArray();
    }

    /** Closes the history and writes the current fields (jsonb text is JSON, so it goes in raw). */
    private static void end(JsonGenerator json, Map<String, String> latest) throws java.io.IOException {
        json.writeEndArray();
        json.writeObjectFieldStart("fields");
        for (Map.Entry<String, String> e : latest.entrySet()) {
            json.writeFieldName(e.getKey());
            json.writeRawValue(e.getValue());
        }
        json.writeEndObject();
        json.writeEndObject();
        latest.clear();
    }
}
