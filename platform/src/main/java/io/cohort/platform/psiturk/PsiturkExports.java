package io.cohort.platform.psiturk;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.web.Layout;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;

/**
 * A psiTurk session's data in psiTurk's own files, as psiTurk's {@code download_datafiles} writes them (no header
 * row): {@code trialdata.csv} (uniqueid, current trial, time, the trial's data as JSON), {@code questiondata.csv}
 * (uniqueid, question, answer) and {@code eventdata.csv} (uniqueid, event type, interval, value, time). They are read
 * from the datastrings as last saved; participant by participant, so a big session is never in memory at once.
 */
@Singleton
public final class PsiturkExports {

    public static final Set<String> FILES = Set.of("trialdata", "questiondata", "eventdata");

    private final Transactions tx;

    @Inject
    public PsiturkExports(Transactions tx) {
        this.tx = tx;
    }

    /** @param file one of {@link #FILES} */
    public void write(String sessionId, String file, OutputStream out) throws IOException {
        List<String> ids = tx.mapper(PsiturkMapper.class, m -> m.ofSession(sessionId)).stream()
                .map(PsiturkMapper.Row::uniqueId)
                .toList();
        Writer writer = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        CSVPrinter csv = new CSVPrinter(
                writer, CSVFormat.DEFAULT.builder().setRecordSeparator("\r\n").get());
        for (String id : ids) {
            PsiturkMapper.Row row = tx.mapper(PsiturkMapper.class, m -> m.byUniqueId(id));
            if (row == null || row.datastring() == null) {
                continue;
            }
            JsonNode blob = Layout.JSON.readTree(row.datastring());
            switch (file) {
                case "trialdata" -> {
                    for (JsonNode t : blob.path("data")) {
                        csv.printRecord(
                                id,
                                text(t.path("current_trial")),
                                text(t.path("dateTime")),
                                t.path("trialdata").toString());
                    }
                }
                case "questiondata" -> {
                    for (Iterator<Map.Entry<String, JsonNode>> it =
                                    blob.path("questiondata").fields();
                            it.hasNext(); ) {
                        Map.Entry<String, JsonNode> q = it.next();
                        csv.printRecord(id, q.getKey(), text(q.getValue()));
                    }
                }
                case "eventdata" -> {
                    for (JsonNode e : blob.path("eventdata")) {
                        csv.printRecord(
                                id,
                                text(e.path("eventtype")),
                                text(e.path("interval")),
                                text(e.path("value")),
                                text(e.path("timestamp")));
                    }
                }
                default -> throw new IllegalArgumentException("file: '" + file + "' is not one of " + FILES);
            }
        }
        csv.flush();
    }

    /** A string as itself, anything else as JSON (psiTurk's values are mostly strings and numbers). */
    private static String text(JsonNode v) {
        return v.isMissingNode() || v.isNull() ? "" : v.isTextual() ? v.asText() : v.toString();
    }
}
