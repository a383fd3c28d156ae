package io.cohort.platform.db;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cohort.platform.Config;
import io.cohort.testkit.TestDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A database migrated before some migrations' comments were reworded still starts, and records the new checksums. */
class RewordedMigrationsTest {

    @TempDir
    Path home;

    @Test
    void aDatabaseFromBeforeTheRewordingStartsAndTakesTheNewChecksums() throws Exception {
        Config config = Config.load(home, home, Map.of("COHORT_DB_URL", TestDatabase.create()));
        try (Database db = Database.open(config)) {
            db.migrate();
            // The files' checksums now are the ones the table of rewordings promises.
            for (Map.Entry<String, int[]> e : Database.REWORDED.entrySet()) {
                assertEquals(e.getValue()[1], checksum(db, e.getKey()), "version " + e.getKey());
            }
            // As an older node left it: the checksums of the files before their comments were reworded.
            try (Connection c = db.dataSource().getConnection();
                    Statement st = c.createStatement()) {
                for (Map.Entry<String, int[]> e : Database.REWORDED.entrySet()) {
                    st.executeUpdate("UPDATE cohort.flyway_schema_history SET checksum = " + e.getValue()[0]
                            + " WHERE version = '" + e.getKey() + "'");
                }
            }
            db.migrate(); // Flyway's validation would refuse a mismatch here
            for (Map.Entry<String, int[]> e : Database.REWORDED.entrySet()) {
                assertEquals(e.getValue()[1], checksum(db, e.getKey()), "version " + e.getKey());
            }
        }
    }

    private static int checksum(Database db, String version) throws Exception {
        try (Connection c = db.dataSource().getConnection();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(
                        "SELECT checksum FROM cohort.flyway_schema_history WHERE version = '" + version + "'")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
