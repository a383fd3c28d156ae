package io.cohort.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.platform.db.Database;
import io.cohort.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cohort dump --out FILE} then {@code cohort restore FILE} gives back the same rows. */
class DumpCommandTest {

    @TempDir
    Path install;

    private void configure(String url) throws Exception {
        Files.createDirectories(install.resolve("conf"));
        Files.writeString(install.resolve(Config.FILE), "db.url=" + url + "\n");
        System.setProperty("cohort.install", install.toString());
    }

    private static List<String> rows(String url) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(url);
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(
                        "SELECT id, actor, action, target, detail::text FROM cohort.audit_log ORDER BY id")) {
            while (rs.next()) {
                rows.add(rs.getLong(1) + "|" + rs.getString(2) + "|" + rs.getString(3) + "|" + rs.getString(4) + "|"
                        + rs.getString(5));
            }
        }
        return rows;
    }

    @Test
    void dumpThenRestoreGivesBackTheSameRows() throws Exception {
        String source = TestDatabase.create();
        try (Database db = Database.open(Config.load(install, install, java.util.Map.of("COHORT_DB_URL", source)))) {
            db.migrate();
        }
        try (Connection c = DriverManager.getConnection(source);
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO cohort.audit_log (actor, action, target, detail) SELECT 'alice', 'act' || g, "
                    + "E'tab\\there; ' || g, jsonb_build_object('n', g) FROM generate_series(1, 500) g");
        }
        List<String> before = rows(source);
        assertEquals(500, before.size());

        configure(source);
        Path file = install.resolve("backup.sql.gz");
        assertEquals(0, Main.execute("dump", "--out", file.toString()));
        assertTrue(Files.size(file) > 0);

        // Into another database, and back over changed data in the first one.
        String target = TestDatabase.create();
        configure(target);
        assertEquals(0, Main.execute("restore", file.toString()));
        assertEquals(before, rows(target));

        try (Connection c = DriverManager.getConnection(source);
                Statement s = c.createStatement()) {
            s.execute("DELETE FROM cohort.audit_log WHERE id % 2 = 0");
        }
        configure(source);
        assertEquals(0, Main.execute("restore", file.toString()));
        assertEquals(before, rows(source));
    }

    @Test
    void aDamagedDumpChangesNothingAndSaysWhy() throws Exception {
        String url = TestDatabase.create();
        configure(url);
        try (Database db = Database.open(Config.load(install, install, java.util.Map.of()))) {
            db.migrate();
        }
        List<String> before = rows(url);
        Path file = install.resolve("backup.sql");
        assertEquals(0, Main.execute("dump", "--out", file.toString()));
        List<String> lines = Files.readAllLines(file);
        Files.write(file, lines.subList(0, lines.size() / 2));
        assertEquals(2, Main.execute("restore", file.toString()));
        assertEquals(before, rows(url));
    }

    @Test
    void statementsNoCohortDumpHoldsAreRefusedNamingTheLine() throws Exception {
        String url = TestDatabase.create();
        configure(url);
        try (Database db = Database.open(Config.load(install, install, java.util.Map.of()))) {
            db.migrate();
        }
        List<String> before = rows(url);
        Path file = install.resolve("backup.sql");
        assertEquals(0, Main.execute("dump", "--out", file.toString()));
        List<String> clean = Files.readAllLines(file);
        int begin = clean.indexOf("BEGIN;");
        Path pwned = install.resolve("pwned");
        for (String evil : List.of(
                "COPY (SELECT 1) TO PROGRAM 'touch " + pwned + "';",
                "CREATE ROLE intruder SUPERUSER;",
                "ALTER SYSTEM SET fsync = off;",
                "CREATE EXTENSION IF NOT EXISTS plpgsql;")) {
            List<String> lines = new ArrayList<>(clean);
            lines.add(begin + 2, evil);
            Files.write(file, lines);
            java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            java.io.PrintStream old = System.err;
            System.setErr(new java.io.PrintStream(err, true));
            try {
                assertEquals(2, Main.execute("restore", file.toString()), evil);
            } finally {
                System.setErr(old);
            }
            assertTrue(err.toString().contains("line " + (begin + 3)), err.toString());
            assertTrue(err.toString().contains("refused"), err.toString());
            assertEquals(before, rows(url), "nothing changed");
            assertTrue(!Files.exists(pwned), "the program ran");
        }
    }
}
