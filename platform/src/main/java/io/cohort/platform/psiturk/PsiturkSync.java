package io.cohort.platform.psiturk;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Participant;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.session.FieldStore;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.web.Layout;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * psiTurk's datastring ({@code /sync/<uniqueId>}): kept verbatim, and taken apart as it arrives so the rest of Cohort
 * reads it: each trial of {@code data} is one {@code trialdata} record, each event of {@code eventdata} one
 * {@code eventdata} record, each answer of {@code questiondata} a field. psiTurk sends the whole blob on every save;
 * only what is new since the last save is appended, so the history stays append-only.
 */
@Singleton
public final class PsiturkSync {

    /** psiTurk keeps the whole task in one blob; 8 MB is far past any real one. */
    static final int MAX = 8 * 1024 * 1024;

    private static final Pattern KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,99}");

    private final Transactions tx;
    private final FieldStore data;
    private final ParticipantStore participants;

    @Inject
    public PsiturkSync(Transactions tx, FieldStore data, ParticipantStore participants) {
        this.tx = tx;
        this.data = data;
        this.participants = participants;
    }

    /** The saved datastring, or psiTurk's first answer before any save. */
    String load(PsiturkMapper.Row row, Participant p) {
        PsiturkMapper.Row now = tx.mapper(PsiturkMapper.class, m -> m.byUniqueId(row.uniqueId()));
        if (now != null && now.datastring() != null) {
            return now.datastring();
        }
        int[] condition = PsiturkProject.condition(p.condition());
        ObjectNode first = Layout.JSON.createObjectNode();
        first.put("condition", condition[0]);
        first.put("counterbalance", condition[1]);
        first.put("assignmentId", row.assignmentId());
        first.put("workerId", row.workerId());
        first.put("hitId", row.hitId());
        first.put("bonus", p.bonusCents() / 100.0);
        return first.toString();
    }

    /**
     * Stores the datastring and appends what is new, in one transaction.
     *
     * @throws IllegalArgumentException when it is not a JSON object
     */
    void save(PsiturkMapper.Row row, Participant p, String body) {
        JsonNode blob;
        try {
            blob = Layout.JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
        }
        if (blob == null || !blob.isObject()) {
            throw new IllegalArgumentException("expected psiTurk's datastring, a JSON object");
        }
        tx.run(c -> {
            int trialsSaved;
            int eventsSaved;
            try (PreparedStatement ps = c.prepareStatement("SELECT trials_saved, events_saved"
                    + " FROM cohort.psiturk_participant WHERE unique_id = ? FOR UPDATE")) {
                ps.setString(1, row.uniqueId());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    trialsSaved = rs.getInt(1);
                    eventsSaved = rs.getInt(2);
                }
            }
            JsonNode trials = blob.path("data");
            int trialCount = trials.isArray() ? trials.size() : 0;
            for (int i = trialsSaved; i < trialCount; i++) {
                data.appendRecord(p.id(), "trialdata", trials.get(i).toString(), BY_PAGE);
            }
            JsonNode events = blob.path("eventdata");
            int eventCount = events.isArray() ? events.size() : 0;
            for (int i = eventsSaved; i < eventCount; i++) {
                data.appendRecord(p.id(), "eventdata", events.get(i).toString(), BY_PAGE);
            }
            JsonNode questions = blob.path("questiondata");
            if (questions.isObject()) {
                Map<String, String> current = data.current(p.id());
                Map<String, String> changed = new java.util.LinkedHashMap<>();
                for (Iterator<Map.Entry<String, JsonNode>> it = questions.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    String key = fieldKey(e.getKey());
                    String value = e.getValue().toString();
                    if (!value.equals(current.get(key))) {
                        changed.put(key, value);
                    }
                }
                if (!changed.isEmpty()) {
                    data.setAll(p.id(), changed, BY_PAGE);
                }
            }
            tx.mapper(
                    PsiturkMapper.class,
                    m -> m.save(
                            row.uniqueId(),
                            body,
                            Math.max(trialsSaved, trialCount),
                            Math.max(eventsSaved, eventCount)));
            return null;
        });
    }

    static final String BY_PAGE = "page:psiturk";

    /** A question's name as a field key: as it is when it can be one and Cohort does not own it. */
    static String fieldKey(String name) {
        if (KEY.matcher(name).matches()
                && !FieldStore.HOST_OWNED.containsKey(name.toLowerCase(java.util.Locale.ROOT))) {
            return name;
        }
        String clean = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        return ("questiondata." + clean).substring(0, Math.min(100, 13 + clean.length()));
    }

    /**
     * Cohort's bonus rule ({@code cohort-bonus.txt}) over the participant's trial records, set as their bonus; 0 and
     * nothing set when the project has no rule. Reads the records, never the page's own claim of a bonus.
     */
    long applyBonus(PsiturkProject project, Participant p) {
        PsiturkProject.BonusRule rule = project.bonus();
        if (rule == null) {
            return 0;
        }
        long matching = tx.run(c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM cohort.field_value"
                    + " WHERE participant_id = ? AND key = 'trialdata' AND record"
                    + " AND (?::text IS NULL OR (value -> 'trialdata' ->> ?) = ?)")) {
                ps.setString(1, p.id());
                ps.setString(2, rule.field());
                ps.setString(3, rule.field());
                ps.setString(4, rule.equals());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
        long cents = Math.min(rule.maxCents(), matching * rule.perTrialCents());
        participants.setBonus(p.id(), cents, PsiturkWeb.BY + " (" + PsiturkProject.BONUS + ")");
        return cents;
    }
}
