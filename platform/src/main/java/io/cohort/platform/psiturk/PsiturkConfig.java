package io.cohort.platform.psiturk;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A psiTurk project's {@code config.txt}, read as psiTurk reads it (Python's ConfigParser: {@code [Section]} headers,
 * {@code key = value} or {@code key: value}, {@code #} and {@code ;} comment lines, indented continuation lines).
 * Keys that are missing or commented out take psiTurk's documented defaults, as psiTurk's own example ships with
 * nearly every line commented. Keys Cohort does not use (the database, the server, the shell) are listed in
 * {@link #notes()}, not refused; a line or value that cannot be read is a problem naming the file, line and key.
 *
 * @param values every key as written, lower-cased, with the line it is on
 */
public record PsiturkConfig(Map<String, Value> values, List<String> notes) {

    /** One key's value and where it was written. */
    public record Value(String section, String text, int line) {}

    /** A config.txt that cannot be used; every problem names the file and line. */
    public static final class Invalid extends Exception {
        private final List<String> problems;

        Invalid(List<String> problems) {
            super(String.join("; ", problems));
            this.problems = List.copyOf(problems);
        }

        public List<String> problems() {
            return problems;
        }
    }

    /** Keys Cohort uses, with psiTurk's default (null: none; the folder's name for the title). */
    static final Map<String, String> USED = defaults();

    /** Keys psiTurk has that mean nothing here: Cohort has its own database, server, logins and console. */
    static final Set<String> NOT_USED = Set.of(
            "database_url",
            "table_name",
            "assignments_table_name",
            "host",
            "port",
            "logfile",
            "loglevel",
            "debug",
            "login_username",
            "login_pw",
            "threads",
            "secret_key",
            "certfile",
            "keyfile",
            "adserver_revproxy_host",
            "adserver_revproxy_port",
            "server_timeout",
            "enable_dashboard",
            "launch_in_sandbox_mode",
            "persistent_history_file",
            "bonus_message",
            "use_psiturk_ad_server",
            "ad_location",
            "ad_url",
            "ad_url_domain",
            "ad_url_port",
            "ad_url_protocol",
            "ad_url_route",
            "clock",
            "aws_access_key_id",
            "aws_secret_access_key",
            "aws_region",
            "psiturk_access_key_id",
            "psiturk_secret_access_id",
            "do_scheduler",
            "recaptcha_key");

    private static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put("title", null);
        d.put("description", "");
        d.put("amt_keywords", "");
        d.put("keywords", "");
        d.put("lifetime", "24");
        d.put("us_only", "true");
        d.put("approve_requirement", "95");
        d.put("number_hits_approved", "0");
        d.put("require_master_workers", "false");
        d.put("contact_email_on_error", "");
        d.put("ad_group", "");
        d.put("organization_name", "");
        d.put("browser_exclude_rule", "MSIE, mobile, tablet");
        d.put("allow_repeats", "false");
        d.put("reward", "1.00");
        d.put("duration", "1");
        d.put("locale", "");
        d.put("experiment_code_version", "1.0");
        d.put("code_version", null);
        d.put("num_conds", "1");
        d.put("num_counters", "1");
        d.put("cutoff_time", "30");
        return java.util.Collections.unmodifiableMap(d);
    }

    /**
     * Reads the file's text.
     *
     * @param source the file as the admin sees it, e.g. {@code experiments/stroop/config.txt}
     * @throws Invalid naming the file, line and key of every problem
     */
    public static PsiturkConfig read(String text, String source) throws Invalid {
        return read(text, source, null);
    }

    /** @param section the section of lines before any header (null: such lines are a problem) */
    static PsiturkConfig read(String text, String source, String section) throws Invalid {
        boolean configTxt = section == null;
        Map<String, Value> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String lastKey = null;
        String[] lines = text.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            int n = i + 1;
            String raw = lines[i];
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && lastKey != null) {
                Value v = values.get(lastKey);
                values.put(lastKey, new Value(v.section(), (v.text() + "\n" + line).strip(), v.line()));
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    problems.add(source + ":" + n + ": '" + line + "' is not a [Section] header");
                } else {
                    section = line.substring(1, line.length() - 1).strip();
                }
                lastKey = null;
                continue;
            }
            int eq = line.indexOf('=');
            int colon = line.indexOf(':');
            int at = eq < 0 ? colon : colon < 0 ? eq : Math.min(eq, colon);
            if (at <= 0) {
                problems.add(source + ":" + n + ": '" + line + "' is not a 'key = value' line");
                lastKey = null;
                continue;
            }
            String key = line.substring(0, at).strip().toLowerCase(Locale.ROOT);
            String value = line.substring(at + 1).strip();
            if (section == null) {
                problems.add(source + ":" + n + ": " + key + ": comes before any [Section] header");
                continue;
            }
            Value earlier = values.get(key);
            if (earlier != null && earlier.section().equals(section)) {
                problems.add(source + ":" + n + ": " + key + ": set twice in [" + section + "] (first on line "
                        + earlier.line() + ")");
                continue;
            }
            values.put(key, new Value(section, value, n));
            lastKey = key;
            if (!configTxt) {
                continue;
            } else if (NOT_USED.contains(key)) {
                notes.add(source + ":" + n + ": " + key + " is psiTurk's own and not used by Cohort");
            } else if (!USED.containsKey(key)) {
                notes.add(source + ":" + n + ": " + key + " is not a key Cohort knows; it is ignored");
            }
        }
        PsiturkConfig config = new PsiturkConfig(values, List.copyOf(notes));
        if (configTxt) {
            config.check(source, problems);
        }
        if (!problems.isEmpty()) {
            throw new Invalid(problems);
        }
        return config;
    }

    /** The value as written, else psiTurk's default (null when it has none). */
    public String get(String key) {
        Value v = values.get(key);
        return v != null && !v.text().isEmpty() ? v.text() : USED.get(key);
    }

    public String title(String folder) {
        String t = get("title");
        return t == null || t.isBlank() ? folder : t;
    }

    /** {@code experiment_code_version}, or {@code code_version} as some projects spell it. */
    public String codeVersion() {
        Value spelled = values.get("code_version");
        return values.get("experiment_code_version") == null
                        && spelled != null
                        && !spelled.text().isEmpty()
                ? spelled.text()
                : get("experiment_code_version");
    }

    public int conditions() {
        return Integer.parseInt(get("num_conds"));
    }

    public int counterbalances() {
        return Integer.parseInt(get("num_counters"));
    }

    public boolean allowRepeats() {
        return bool(get("allow_repeats"));
    }

    public boolean usOnly() {
        return bool(get("us_only"));
    }

    public String contact() {
        return get("contact_email_on_error");
    }

    /** The reward, in cents. */
    public long rewardCents() {
        return new BigDecimal(get("reward")).movePointRight(2).longValueExact();
    }

    public int approvalRate() {
        return Integer.parseInt(get("approve_requirement"));
    }

    /** {@code duration} in hours, as psiTurk's {@code hit create} asks for it. */
    public double durationHours() {
        return Double.parseDouble(get("duration"));
    }

    public double lifetimeHours() {
        return Double.parseDouble(get("lifetime"));
    }

    /**
     * The HIT this project asks for, as the query of the MTurk plugin's "Post a HIT" form ({@code /admin/mturk}
     * fills its fields from its query): title, description, keywords, reward, duration (psiTurk's hours, the form's
     * minutes), lifetime, approval rate, approved HITs, countries ({@code us_only}, or {@code locale}), repeats.
     */
    public String hitQuery(String folder, String sessionId) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("sessionId", sessionId);
        q.put("title", title(folder));
        q.put("description", get("description"));
        String keywords = get("amt_keywords").isEmpty() ? get("keywords") : get("amt_keywords");
        q.put("keywords", keywords);
        q.put("reward", get("reward"));
        q.put("durationMinutes", Long.toString(Math.max(1, Math.round(durationHours() * 60))));
        q.put("lifetimeHours", Long.toString(Math.max(1, Math.round(lifetimeHours()))));
        q.put("minApprovalRate", Integer.toString(approvalRate()));
        q.put("minApproved", get("number_hits_approved"));
        String locale = get("locale");
        q.put("countries", !locale.isBlank() ? locale : usOnly() ? "US" : "");
        if (allowRepeats()) {
            q.put("allowRepeats", "true");
        }
        StringBuilder query = new StringBuilder();
        q.forEach((k, v) -> query.append(query.isEmpty() ? "" : "&")
                .append(k)
                .append('=')
                .append(java.net.URLEncoder.encode(v == null ? "" : v, java.nio.charset.StandardCharsets.UTF_8)));
        return query.toString();
    }

    private void check(String source, List<String> problems) {
        whole(source, "num_conds", 1, 1000, problems);
        whole(source, "num_counters", 1, 1000, problems);
        whole(source, "approve_requirement", 0, 100, problems);
        whole(source, "number_hits_approved", 0, Integer.MAX_VALUE, problems);
        whole(source, "cutoff_time", 1, 100_000, problems);
        for (String key : List.of("us_only", "allow_repeats", "require_master_workers")) {
            Value v = values.get(key);
            if (v != null && !v.text().isEmpty() && parseBool(v.text()) == null) {
                problems.add(where(source, v) + key + ": '" + v.text() + "' is not true or false");
            }
        }
        for (String key : List.of("lifetime", "duration")) {
            Value v = values.get(key);
            if (v != null && !v.text().isEmpty()) {
                try {
                    if (!(Double.parseDouble(v.text()) > 0)) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    problems.add(where(source, v) + key + ": '" + v.text() + "' is not a number of hours above 0");
                }
            }
        }
        Value reward = values.get("reward");
        if (reward != null && !reward.text().isEmpty() && !reward.text().matches("\\d{1,4}(\\.\\d{1,2})?")) {
            problems.add(
                    where(source, reward) + "reward: '" + reward.text() + "' is not an amount in dollars such as 1.50");
        }
        String version = codeVersion();
        if (version == null || !version.matches("[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}")) {
            Value v = values.getOrDefault("experiment_code_version", values.get("code_version"));
            problems.add((v == null ? source + ": " : where(source, v)) + "experiment_code_version: '" + version
                    + "' may hold only letters, digits, '.', '_', '+' and '-'");
        }
    }

    private void whole(String source, String key, int min, int max, List<String> problems) {
        Value v = values.get(key);
        if (v == null || v.text().isEmpty()) {
            return;
        }
        try {
            int n = Integer.parseInt(v.text());
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            problems.add(where(source, v) + key + ": '" + v.text() + "' is not a whole number from " + min
                    + (max == Integer.MAX_VALUE ? " up" : " to " + max));
        }
    }

    private static String where(String source, Value v) {
        return source + ":" + v.line() + ": ";
    }

    private static boolean bool(String text) {
        return Boolean.TRUE.equals(parseBool(text));
    }

    /** ConfigParser's getboolean: 1/yes/true/on and 0/no/false/off; null for anything else. */
    static Boolean parseBool(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "1", "yes", "true", "on" -> Boolean.TRUE;
            case "0", "no", "false", "off" -> Boolean.FALSE;
            default -> null;
        };
    }
}
