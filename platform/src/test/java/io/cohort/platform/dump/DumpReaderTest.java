package io.cohort.platform.dump;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DumpReaderTest {

    private static DumpReader reader(String text) {
        return new DumpReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void statementsEndOnlyAtASemicolonOutsideQuotesAndComments() throws Exception {
        DumpReader r = reader("""
                -- a comment;

                SELECT 'a;
                b;' AS "x;
                y;", E'it\\'s;
                still' /* c;
                /* nested; */ c; */;
                CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$
                select 1;
                $body$;
                SELECT $1x; -- trailing comment;
                SELECT 2;""");
        DumpReader.Statement first = r.nextStatement();
        assertEquals(3, first.line());
        assertEquals("SELECT 'a;\nb;' AS \"x;\ny;\", E'it\\'s;\nstill' /* c;\n/* nested; */ c; */;", first.sql());
        DumpReader.Statement function = r.nextStatement();
        assertEquals(8, function.line());
        assertEquals("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $body$\nselect 1;\n$body$;", function.sql());
        assertEquals("SELECT $1x; -- trailing comment;", r.nextStatement().sql());
        assertEquals(new DumpReader.Statement(12, "SELECT 2;"), r.nextStatement());
        assertNull(r.nextStatement());
    }

    @Test
    void copyDataIsPassedOnLineByLineUntilTheEndMarker() throws Exception {
        DumpReader r = reader("COPY s.t (a) FROM stdin;\nx\\ty\r\n\\\\.\n\\.\nSELECT 1;\n");
        DumpReader.Statement copy = r.nextStatement();
        assertEquals(true, copy.isCopyFromStdin());
        assertEquals("x\\ty\r\n", new String(r.copyLineBytes(), 0, r.nextCopyLine(), StandardCharsets.UTF_8));
        assertEquals("\\\\.\n", new String(r.copyLineBytes(), 0, r.nextCopyLine(), StandardCharsets.UTF_8));
        assertEquals(-1, r.nextCopyLine());
        assertEquals("SELECT 1;", r.nextStatement().sql());
    }

    @Test
    void endOfInputInsideAStatementOrCopyDataIsAnError() throws Exception {
        assertThrows(EOFException.class, () -> reader("SELECT 'a;\n").nextStatement());
        DumpReader r = reader("COPY s.t FROM stdin;\n1\n");
        r.nextStatement();
        r.nextCopyLine();
        assertThrows(EOFException.class, r::nextCopyLine);
        assertEquals(2, r.lineNumber());
    }
}
