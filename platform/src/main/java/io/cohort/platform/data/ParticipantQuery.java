package io.cohort.platform.data;

import io.cohort.api.session.ParticipantStatus;
import io.cohort.platform.web.RequestError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The participants table's filters, sort and page, read from query parameters; anything unknown is refused
 * with the parameter's name. Only whitelisted column expressions ever reach the SQL text.
 *
 * @param mode     {@code sandbox}, {@code test}, {@code live}, {@code bot} (a simulation's) or {@code none} (came by URL or room)
 * @param market   a crowd provider's name ({@code mturk}, {@code prolific}) or {@code none}
 * @param complete true: status in {@link #COMPLETE}; false: not
 * @param page     1-based
 */
record ParticipantQuery(
        String session,
        String mode,
        String market,
        String condition,
        String codeVersion,
        ParticipantStatus status,
        Boolean complete,
        String sort,
        boolean descending,
        int page,
        int size) {

    static final int DEFAULT_SIZE = 50;
    static final int MAX_SIZE = 500;

    /** psiTurk's "complete": the participant finished, whatever happened after. */
    static final List<ParticipantStatus> COMPLETE = List.of(
            ParticipantStatus.COMPLETED,
            ParticipantStatus.SUBMITTED,
            ParticipantStatus.APPROVED,
            ParticipantStatus.REJECTED,
            ParticipantStatus.BONUSED);

    static final List<String> MODES = List.of("sandbox", "test", "live", "bot", "none");

    /** Sortable columns: name on the wire → SQL expression. */
    static final Map<String, String> SORTS = new LinkedHashMap<>();

    static {
        SORTS.put("id", "p.id");
        SORTS.put("session", "p.session_id");
        SORTS.put("name", "p.name");
        SORTS.put("worker_id", "p.worker_id");
        SORTS.put("mode", "p.mode");
        SORTS.put("market", "p.provider");
        SORTS.put("condition", "p.condition");
        SORTS.put("code_version", "p.code_version");
        SORTS.put("status", "p.status");
        SORTS.put("bonus", "p.bonus_cents");
        SORTS.put("page", "p.page_index");
        SORTS.put("created", "p.created_at");
        SORTS.put("updated", "p.updated_at");
    }

    static ParticipantQuery parse(Function<String, String> param) {
        String mode = param.apply("mode");
        if (mode != null) {
            mode = mode.toLowerCase(Locale.ROOT);
            if (!MODES.contains(mode)) {
                throw RequestError.badParameter("mode", param.apply("mode"), "one of " + String.join(", ", MODES));
            }
        }
        String market = param.apply("market");
        if (market != null && !market.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw RequestError.badParameter("market", market, "a market's name such as mturk or prolific, or none");
        }
        String status = param.apply("status");
        ParticipantStatus parsedStatus = null;
        if (status != null) {
            try {
                parsedStatus = ParticipantStatus.valueOf(status.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw RequestError.badParameter(
                        "status", status, "one of " + Arrays.toString(ParticipantStatus.values()));
            }
        }
        Boolean complete = null;
        String completeText = param.apply("complete");
        if (completeText != null) {
            if (!completeText.equals("true") && !completeText.equals("false")) {
                throw RequestError.badParameter("complete", completeText, "true or false");
            }
            complete = Boolean.valueOf(completeText);
        }
        String sort = param.apply("sort");
        if (sort == null) {
            sort = "created";
        } else if (!SORTS.containsKey(sort)) {
            throw RequestError.badParameter("sort", sort, "one of " + String.join(", ", SORTS.keySet()));
        }
        String dir = param.apply("dir");
        if (dir != null && !dir.equals("asc") && !dir.equals("desc")) {
            throw RequestError.badParameter("dir", dir, "asc or desc");
        }
        int size = number(param, "size", DEFAULT_SIZE, MAX_SIZE);
        int page = number(param, "page", 1, Integer.MAX_VALUE / MAX_SIZE);
        return new ParticipantQuery(
                param.apply("session"),
                mode,
                market,
                param.apply("condition"),
                param.apply("code_version"),
                parsedStatus,
                complete,
                sort,
                dir == null ? sort.equals("created") || sort.equals("updated") : dir.equals("desc"),
                page,
                size);
    }

    private static int number(Function<String, String> param, String name, int absent, int max) {
        String text = param.apply(name);
        if (text == null) {
            return absent;
        }
        try {
            int n = Integer.parseInt(text);
            if (n >= 1 && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // refused below
        }
        throw RequestError.badParameter(name, text, "a whole number from 1 to " + max);
    }

    /** {@code WHERE ...} over participant {@code p}, its values appended to {@code args}. */
    String where(List<Object> args) {
        List<String> terms = new ArrayList<>();
        if (session != null) {
            terms.add("p.session_id = ?");
            args.add(session);
        }
        if ("none".equals(mode)) {
            terms.add("p.mode IS NULL");
        } else if (mode != null) {
            terms.add("p.mode = ?");
            args.add(mode.toUpperCase(Locale.ROOT));
        }
        if ("none".equals(market)) {
            terms.add("p.provider IS NULL");
        } else if (market != null) {
            terms.add("p.provider = ?");
            args.add(market);
        }
        if (condition != null) {
            terms.add("p.condition = ?");
            args.add(condition);
        }
        if (codeVersion != null) {
            terms.add("p.code_version = ?");
            args.add(codeVersion);
        }
        if (status != null) {
            terms.add("p.status = ?");
            args.add(status.name());
        }
        if (complete != null) {
            terms.add("p.status " + (complete ? "" : "NOT ") + "IN ("
                    + String.join(
                            ", ",
                            COMPLETE.stream().map(s -> "'" + s.name() + "'").toList()) + ")");
        }
        return terms.isEmpty() ? "" : " WHERE " + String.join(" AND ", terms);
    }

    /** Sorted column, then id, so pages never overlap when values tie. */
    String orderBy() {
        String dir = descending ? " DESC" : " ASC";
        String column = SORTS.get(sort);
        // PostgreSQL's default null placement, so a backward index scan serves DESC.
        return " ORDER BY " + column + dir + (column.equals("p.id") ? "" : ", p.id" + dir);
    }

    int offset() {
        return (page - 1) * size;
    }

    /** The filters as given, for the JSON answer and the form. */
    Map<String, Object> filters() {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("session", session);
        f.put("mode", mode);
        f.put("market", market);
        f.put("condition", condition);
        f.put("code_version", codeVersion);
        f.put("status", status == null ? null : status.name());
        f.put("complete", complete);
        return f;
    }
}
