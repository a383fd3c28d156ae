package io.cohort.platform.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVPrinter;

/**
 * CSV rows whose cells a spreadsheet cannot take for formulas (OWASP's CSV injection rule): a cell starting with
 * {@code =}, {@code +}, {@code -}, {@code @}, tab or carriage return gets a leading {@code '}. A plain number such
 * as {@code -2.5} is left alone: it cannot be a formula, and analysis scripts must read it as a number.
 */
final class SpreadsheetSafeCsv {

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");

    private final CSVPrinter printer;

    SpreadsheetSafeCsv(CSVPrinter printer) {
        this.printer = printer;
    }

    static String cell(Object value) {
        if (value == null) {
            return null;
        }
        String text = value.toString();
        if (text.isEmpty()
                || "=+-@\t\r".indexOf(text.charAt(0)) < 0
                || NUMBER.matcher(text).matches()) {
            return text;
        }
        return "'" + text;
    }

    void printRecord(Iterable<?> values) throws IOException {
        List<String> cells = new ArrayList<>();
        values.forEach(v -> cells.add(cell(v)));
        printer.printRecord(cells);
    }

    void printRecord(Object[] values) throws IOException {
        printRecord(java.util.Arrays.asList(values));
    }

    void flush() throws IOException {
        printer.flush();
    }
}
