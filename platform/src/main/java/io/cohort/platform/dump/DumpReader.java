package io.cohort.platform.dump;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a dump written by {@link DatabaseDump#dump} into lines, SQL statements and COPY data, keeping line numbers
 * for error messages.
 *
 * <p>A statement ends at a line whose last character outside string literals, quoted identifiers, dollar quotes and
 * comments is {@code ;}. The scanner tracks those quoting states across lines, so literals holding {@code ;} or
 * newlines (check constraints, defaults, view and function bodies as {@code pg_get_*def} print them) stay inside their
 * statement; this is the same rule psql applies, so the file also stays valid for {@code psql -f}.
 *
 * <p>Lines are split on {@code \n} bytes only (never {@code \r}, which may sit inside a literal), and COPY data is
 * handed on as raw bytes: it is never decoded or held beyond one line.
 */
final class DumpReader {

    /** One SQL statement and the dump line it starts on. */
    record Statement(int line, String sql) {

        boolean isCopyFromStdin() {
            return sql.regionMatches(true, 0, "COPY ", 0, 5) && sql.endsWith(" FROM stdin;");
        }
    }

    private static final Pattern DOLLAR_TAG = Pattern.compile("\\$([A-Za-z_][A-Za-z0-9_]*)?\\$");

    private final InputStream in;
    private byte[] line = new byte[8192];
    private int lineLength;
    private int lineNumber;

    // Quoting state of the statement being scanned; it spans lines.
    private char quote;
    private boolean backslashEscapes;
    private String dollarTag;
    private int commentDepth;

    DumpReader(InputStream in) {
        this.in = in;
    }

    /** Number of the line read last (1-based); 0 before the first. */
    int lineNumber() {
        return lineNumber;
    }

    /** The next line without its {@code \n}, or null at the end of the input. */
    String readLine() throws IOException {
        return readRawLine() ? new String(line, 0, contentLength(), StandardCharsets.UTF_8) : null;
    }

    /**
     * The next statement, skipping blank lines and comment lines between statements, or null at the end of the
     * input. Throws {@link EOFException} when the input ends inside a statement.
     */
    Statement nextStatement() throws IOException {
        StringBuilder sql = new StringBuilder();
        int start = 0;
        while (true) {
            String text = readLine();
            if (text == null) {
                if (sql.length() == 0) {
                    return null;
                }
                throw new EOFException("the dump ends inside a statement (truncated?)");
            }
            if (sql.length() == 0) {
                String trimmed = text.strip();
                if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                    continue;
                }
                start = lineNumber;
            } else {
                sql.append('\n');
            }
            sql.append(text);
            if (endsStatement(text)) {
                return new Statement(start, sql.toString().strip());
            }
        }
    }

    /**
     * Reads the next line of COPY data into the internal buffer and returns its length including the {@code \n}
     * (see {@link #copyLineBytes()}), or -1 at the {@code \.} line that ends the data. Throws {@link EOFException}
     * when the input ends first.
     */
    int nextCopyLine() throws IOException {
        if (!readRawLine()) {
            throw new EOFException("the dump ends inside COPY data (truncated?)");
        }
        int length = contentLength();
        if (length == 2 && line[0] == '\\' && line[1] == '.') {
            return -1;
        }
        if (lineLength == length) {
            // The last line of a file cut short has no \n; COPY needs one, and the missing \. is reported next.
            ensureCapacity(length + 1);
            line[length] = '\n';
            lineLength = length + 1;
        }
        return lineLength;
    }

    /** The buffer holding the line {@link #nextCopyLine()} read. */
    byte[] copyLineBytes() {
        return line;
    }

    private boolean readRawLine() throws IOException {
        lineLength = 0;
        int b;
        while ((b = in.read()) >= 0) {
            ensureCapacity(lineLength + 1);
            line[lineLength++] = (byte) b;
            if (b == '\n') {
                break;
            }
        }
        if (lineLength == 0) {
            return false;
        }
        lineNumber++;
        return true;
    }

    private int contentLength() {
        return lineLength > 0 && line[lineLength - 1] == '\n' ? lineLength - 1 : lineLength;
    }

    private void ensureCapacity(int size) {
        if (size > line.length) {
            line = Arrays.copyOf(line, Math.max(size, line.length * 2));
        }
    }

    /** Scans one line of a statement; true when the statement ends with this line. */
    private boolean endsStatement(String text) {
        char lastCode = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char ch = text.charAt(i);
            char next = i + 1 < n ? text.charAt(i + 1) : 0;
            if (commentDepth > 0) {
                if (ch == '*' && next == '/') {
                    commentDepth--;
                    i += 2;
                } else if (ch == '/' && next == '*') {
                    commentDepth++;
                    i += 2;
                } else {
                    i++;
                }
            } else if (dollarTag != null) {
                if (text.startsWith(dollarTag, i)) {
                    i += dollarTag.length();
                    dollarTag = null;
                    lastCode = '$';
                } else {
                    i++;
                }
            } else if (quote != 0) {
                if (backslashEscapes && ch == '\\') {
                    i += 2;
                } else if (ch == quote && next == quote) {
                    i += 2;
                } else {
                    if (ch == quote) {
                        quote = 0;
                        lastCode = ch;
                    }
                    i++;
                }
            } else if (ch == '-' && next == '-') {
                break;
            } else if (ch == '/' && next == '*') {
                commentDepth = 1;
                i += 2;
            } else if (ch == '\'' || ch == '"') {
                quote = ch;
                backslashEscapes = ch == '\''
                        && i > 0
                        && (text.charAt(i - 1) == 'E' || text.charAt(i - 1) == 'e')
                        && (i == 1 || !isIdentifierChar(text.charAt(i - 2)));
                i++;
            } else if (ch == '$' && (i == 0 || !isIdentifierChar(text.charAt(i - 1)))) {
                Matcher tag = DOLLAR_TAG.matcher(text).region(i, n);
                if (tag.lookingAt()) {
                    dollarTag = tag.group();
                    i = tag.end();
                } else {
                    lastCode = ch;
                    i++;
                }
            } else {
                if (!Character.isWhitespace(ch)) {
                    lastCode = ch;
                }
                i++;
            }
        }
        return quote == 0 && dollarTag == null && commentDepth == 0 && lastCode == ';';
    }

    private static boolean isIdentifierChar(char ch) {
        return Character.isLetterOrDigit(ch) || ch == '_' || ch == '$';
    }
}
