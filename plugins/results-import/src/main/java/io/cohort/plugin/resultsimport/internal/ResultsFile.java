package io.cohort.plugin.resultsimport.internal;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a results file: a header, then one row per worker, separated by {@code ,} or {@code ;} (whichever the
 * header line has more of: MTurk's batch results as the lab edits them in a spreadsheet may use either), quoted as
 * CSV quotes.
 */
final class ResultsFile {

    private ResultsFile() {}

    /**
     * @param name the file's name, for messages
     * @throws IllegalArgumentException naming the file and line of a quote left open, or an empty file
     */
    static List<ResultRow> read(String name, String text, Columns columns) {
        String body = text.startsWith("\uFEFF") ? text.substring(1) : text;
        int end = body.indexOf('\n');
        String header = end < 0 ? body : body.substring(0, end);
        if (header.isBlank()) {
            throw new IllegalArgumentException(
                    name + " line 1: no header (the file is empty or starts with a blank" + " line)");
        }
        char delimiter = count(header, ';') > count(header, ',') ? ';' : ',';
        CSVFormat format = CSVFormat.DEFAULT
                .builder()
                .setDelimiter(delimiter)
                .setIgnoreEmptyLines(true)
                .setIgnoreSurroundingSpaces(true)
                .get();
        List<ResultRow> rows = new ArrayList<>();
        try (CSVParser parser = CSVParser.parse(new StringReader(body), format)) {
            List<String> headers = null;
            int[] known = new int[Columns.NAMES.size()];
            int line = 1;
            int scanned = 0;
            for (CSVRecord record : parser) {
                if (headers == null) {
                    headers = record.toList().stream().map(String::strip).toList();
                    for (int i = 0; i < known.length; i++) {
                        known[i] = columns.index(headers, Columns.NAMES.get(i));
                    }
                    continue;
                }
                Map<String, String> cells = new LinkedHashMap<>();
                for (int i = 0; i < headers.size(); i++) {
                    cells.put(headers.get(i), i < record.size() ? record.get(i) : "");
                }
                for (int i = 0; i < known.length; i++) {
                    if (known[i] >= 0) {
                        cells.put(Columns.NAMES.get(i), known[i] < record.size() ? record.get(known[i]) : "");
                    }
                }
                // A quoted cell may span lines, so records are not lines: count the newlines up to its start.
                int start = (int) Math.min(record.getCharacterPosition(), body.length());
                for (; scanned < start; scanned++) {
                    if (body.charAt(scanned) == '\n') {
                        line++;
                    }
                }
                rows.add(new ResultRow(name, line, cells));
            }
        } catch (UncheckedIOException | IllegalStateException e) {
            // Commons CSV names the line where the quote was left open ("(line 7) EOF reached before ...").
            throw new IllegalArgumentException(name + ": " + message(e));
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
        return rows;
    }

    private static String message(Exception e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        return cause.getMessage();
    }

    private static int count(String line, char c) {
        int n = 0;
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char x = line.charAt(i);
            if (x == '"') {
                quoted = !quoted;
            } else if (x == c && !quoted) {
                n++;
            }
        }
        return n;
    }
}
