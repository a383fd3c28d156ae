package io.cohort.plugin.resultsimport.internal;

import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * The checks a results file passes before anything is asked of the ledger: every problem is collected, each naming
 * the file, line and worker, so the lab fixes the file once. What the provider and the ledger know (the
 * assignment's state, what was paid before) is checked afterwards by {@link ResultsImports}.
 */
final class RowChecks {

    static final int MAX_FEEDBACK = 1024;

    /** The rows to settle and what is wrong with the file; nothing is settled unless {@code problems} is empty. */
    record Checked(List<ImportRow> rows, List<String> problems) {}

    private RowChecks() {}

    static Checked check(List<ResultRow> read, Settings settings) {
        Filter filter = settings.filter();
        boolean ignoreCase = settings.flag("ignoreCase");
        String hit = settings.get("hit");
        long min = settings.minBonusCents();
        long max = settings.maxBonusCents();
        boolean approveAll = settings.flag("approveAll");
        Integer value = settings.value();
        String qualification = settings.get("qualification");
        if (value != null && qualification == null) {
            throw new IllegalArgumentException("value: given without a qualification type");
        }
        Set<String> codes = settings.get("inputCodes") == null ? null : inputCodes(settings.get("inputCodes"));

        List<String> problems = new ArrayList<>();
        List<ImportRow> rows = new ArrayList<>();
        Map<String, String> workers = new HashMap<>();
        Map<String, String> assignments = new HashMap<>();
        Map<String, String> exits = new HashMap<>();
        for (ResultRow r : read) {
            if (!filter.keeps(r.cells(), ignoreCase)) {
                continue;
            }
            String where = r.where();
            String worker = r.get("WorkerId");
            String assignment = r.get("AssignmentId");
            String exit = r.get("exit");
            if (worker.isEmpty()) {
                problems.add(where + ": no WorkerId");
            } else {
                first(workers, worker, where, "worker " + worker, problems);
            }
            if (assignment.isEmpty()) {
                problems.add(where + ": no AssignmentId");
            } else {
                first(assignments, assignment, where, "assignment " + assignment, problems);
            }
            if (!exit.isEmpty()) {
                first(exits, exit, where, "exit code " + exit, problems);
            }
            if (hit != null && !r.get("HITId").equals(hit)) {
                problems.add(where + ": HIT '" + r.get("HITId") + "' is not the HIT chosen, " + hit);
            }
            if (codes != null && !codes.contains(exit)) {
                problems.add(where + ": exit code '" + exit + "' is not among the input codes");
            }

            long bonus = 0;
            String bonusText = r.get("bonus");
            if (!bonusText.isEmpty()) {
                try {
                    bonus = new BigDecimal(bonusText.replaceFirst("^\\$", ""))
                            .setScale(2, RoundingMode.HALF_UP)
                            .movePointRight(2)
                            .longValueExact();
                    if (bonus > 0 && bonus < min) {
                        problems.add(where + ": bonus " + Settings.dollars(bonus) + " is under the minimum "
                                + Settings.dollars(min));
                    } else if (bonus > max) {
                        problems.add(where + ": bonus " + Settings.dollars(bonus) + " is over the maximum "
                                + Settings.dollars(max));
                    } else if (bonus < 0) {
                        problems.add(where + ": bonus " + bonusText + " is negative");
                    }
                } catch (NumberFormatException | ArithmeticException e) {
                    problems.add(where + ": bonus '" + bonusText + "' is not a number");
                }
            }

            String decision = decision(r, approveAll, where, problems);
            String feedback = r.get("RequesterFeedback");
            if (feedback.isEmpty()) {
                feedback = r.get("Reason");
            }
            // MTurk's batch file takes the rejection's reason in the Reject column itself.
            if (feedback.isEmpty() && decision.equals("REJECT") && !isMark(r.get("Reject"))) {
                feedback = r.get("Reject");
            }
            if (feedback.length() > MAX_FEEDBACK) {
                problems.add(where + ": feedback is " + feedback.length() + " characters; MTurk takes at most "
                        + MAX_FEEDBACK);
            }

            String type = r.get("QualificationTypeId").isEmpty() ? qualification : r.get("QualificationTypeId");
            Integer integer = value;
            if (!r.get("IntegerValue").isEmpty()) {
                try {
                    integer = Integer.valueOf(r.get("IntegerValue"));
                } catch (NumberFormatException e) {
                    problems.add(where + ": IntegerValue '" + r.get("IntegerValue") + "' is not a whole number");
                }
            }
            if (type != null && !type.isEmpty() && integer == null) {
                integer = 1; // MTurk's own default when a qualification is given without a value
            }
            rows.add(new ImportRow(
                    rows.size() + 1,
                    r.file(),
                    r.line(),
                    worker,
                    assignment,
                    r.get("HITId"),
                    decision,
                    Math.max(bonus, 0),
                    exit,
                    type == null || type.isEmpty() ? null : type,
                    type == null || type.isEmpty() ? null : integer,
                    feedback));
        }
        return new Checked(rows, problems);
    }

    /** APPROVE, REJECT or "" when no decision is asked for; a problem when both or neither are marked. */
    private static String decision(ResultRow r, boolean approveAll, String where, List<String> problems) {
        boolean columns = r.has("Approve") || r.has("Reject");
        if (!columns) {
            return approveAll ? "APPROVE" : "";
        }
        boolean approve = ResultRow.truthy(r.get("Approve"));
        boolean reject = ResultRow.truthy(r.get("Reject"));
        if (approve && reject) {
            problems.add(where + ": both Approve and Reject are marked");
            return "";
        }
        if (approve || reject) {
            return approve ? "APPROVE" : "REJECT";
        }
        // MTurk's batch file leaves both empty for what was decided already.
        String status = r.get("AssignmentStatus");
        if (status.equalsIgnoreCase("Approved") || status.equalsIgnoreCase("Rejected")) {
            return "";
        }
        if (approveAll) {
            return "APPROVE";
        }
        problems.add(where + ": neither Approve nor Reject is marked");
        return "";
    }

    private static boolean isMark(String value) {
        return value.equalsIgnoreCase("x")
                || value.equals("1")
                || value.equalsIgnoreCase("true")
                || value.equalsIgnoreCase("yes");
    }

    private static void first(Map<String, String> seen, String key, String where, String what, List<String> problems) {
        String earlier = seen.putIfAbsent(key, where);
        if (earlier != null) {
            problems.add(where + ": " + what + " is also on " + earlier);
        }
    }

    /** One exit code per line, or a CSV with an {@code ExitCode} or {@code exit} column. */
    static Set<String> inputCodes(String text) {
        String first = text.lines().findFirst().orElse("").strip();
        Set<String> codes = new HashSet<>();
        if (first.matches("(?i).*\\b(ExitCode|exit)\\b.*")
                && (first.contains(",")
                        || first.contains(";")
                        || first.equalsIgnoreCase("ExitCode")
                        || first.equalsIgnoreCase("exit"))) {
            char delimiter = first.chars().filter(c -> c == ';').count()
                            > first.chars().filter(c -> c == ',').count()
                    ? ';'
                    : ',';
            try (CSVParser parser = CSVParser.parse(
                    new StringReader(text),
                    CSVFormat.DEFAULT
                            .builder()
                            .setDelimiter(delimiter)
                            .setHeader()
                            .setSkipHeaderRecord(true)
                            .setIgnoreHeaderCase(true)
                            .setIgnoreEmptyLines(true)
                            .get())) {
                String column = parser.getHeaderNames().stream()
                        .filter(h -> h.strip().equalsIgnoreCase("ExitCode"))
                        .findFirst()
                        .orElse("exit");
                for (CSVRecord record : parser) {
                    if (record.isSet(column) && !record.get(column).isBlank()) {
                        codes.add(record.get(column).strip());
                    }
                }
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("inputCodes: " + e.getMessage());
            }
        } else {
            text.lines().map(String::strip).filter(l -> !l.isEmpty()).forEach(codes::add);
        }
        return codes;
    }
}
