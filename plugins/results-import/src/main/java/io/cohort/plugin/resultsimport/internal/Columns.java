package io.cohort.plugin.resultsimport.internal;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which header holds each of nodegame-mturk's columns: its own name unless the {@code columns} parameter renames it
 * ({@code bonus=Pay,WorkerId=worker}); matched exactly or, when asked, ignoring case.
 */
record Columns(Map<String, String> renamed, boolean ignoreCase) {

    /** nodegame-mturk's names, and MTurk's batch file's {@code AssignmentStatus}; {@code type} and {@code skip} filter. */
    static final List<String> NAMES = List.of(
            "id",
            "bonus",
            "WorkerId",
            "AssignmentId",
            "HITId",
            "Approve",
            "Reject",
            "exit",
            "access",
            "disconnected",
            "QualificationTypeId",
            "IntegerValue",
            "Reason",
            "RequesterFeedback",
            "AssignmentStatus",
            "type",
            "skip");

    static final Columns DEFAULT = new Columns(Map.of(), false);

    /** @throws IllegalArgumentException naming the pair that is not {@code name=header} or the unknown name */
    static Columns parse(String spec, boolean ignoreCase) {
        Map<String, String> renamed = new LinkedHashMap<>();
        if (spec != null && !spec.isBlank()) {
            for (String pair : spec.split(",")) {
                String[] kv = pair.split("=", 2);
                if (kv.length < 2 || kv[0].isBlank() || kv[1].isBlank()) {
                    throw new IllegalArgumentException(
                            "columns: '" + pair.strip() + "' is not name=header (e.g. bonus=Pay,WorkerId=worker)");
                }
                String name = NAMES.stream()
                        .filter(n -> n.equalsIgnoreCase(kv[0].strip()))
                        .findFirst()
                        .orElseThrow(() -> new IllegalArgumentException(
                                "columns: '" + kv[0].strip() + "' is not one of " + String.join(", ", NAMES)));
                renamed.put(name, kv[1].strip());
            }
        }
        return new Columns(Map.copyOf(renamed), ignoreCase);
    }

    /** The header's index in {@code headers} for the column {@code name}, or -1. */
    int index(List<String> headers, String name) {
        String wanted = renamed.getOrDefault(name, name);
        for (int i = 0; i < headers.size(); i++) {
            if (headers.get(i).equals(wanted)) {
                return i;
            }
        }
        if (ignoreCase) {
            for (int i = 0; i < headers.size(); i++) {
                if (headers.get(i).toLowerCase(Locale.ROOT).equals(wanted.toLowerCase(Locale.ROOT))) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** As typed back in the parameters: {@code bonus=Pay,WorkerId=worker}. */
    String spec() {
        return String.join(
                ",",
                renamed.entrySet().stream()
                        .map(e -> e.getKey() + "=" + e.getValue())
                        .toList());
    }
}
