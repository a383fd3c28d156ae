package io.cohort.platform.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a participant saves cannot become a spreadsheet formula, nor pass for a column the host writes. */
class ExportCellsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static DataHost h;

    @BeforeAll
    static void start() throws Exception {
        h = DataHost.start(home);
        h.session("s1");
        h.participant("s1", "p1", "=1+2", "STARTED", null, null, "v1", 0, "2024-05-01T09:00:00Z");
        h.field(
                "p1",
                "link",
                JSON.writeValueAsString("=HYPERLINK(\"http://evil.example\",\"click\")"),
                "2024-05-01T10:00:00Z",
                "page:q");
        h.field("p1", "at", JSON.writeValueAsString("@SUM(A1:A9)"), "2024-05-01T10:00:01Z", "page:q");
        h.field("p1", "plus", JSON.writeValueAsString("+cmd|' /C calc'!A0"), "2024-05-01T10:00:02Z", "page:q");
        h.field("p1", "tab", JSON.writeValueAsString("\t=1"), "2024-05-01T10:00:03Z", "page:q");
        h.field("p1", "negative", "-2.5", "2024-05-01T10:00:04Z", "page:q");
        h.field("p1", "status", JSON.writeValueAsString("COMPLETED"), "2024-05-01T10:00:05Z", "page:q");
        h.field("p1", "bonus", "100", "2024-05-01T10:00:06Z", "page:q");
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    @Test
    void formulasAreNeutralisedAndNumbersKept() throws Exception {
        CSVRecord row = ExportsTest.csv(h.api.get("/api/sessions/s1/export.csv?shape=wide"))
                .get(0);
        assertEquals("'=1+2", row.get("name"));
        assertEquals("'=HYPERLINK(\"http://evil.example\",\"click\")", row.get("link"));
        assertEquals("'@SUM(A1:A9)", row.get("at"));
        assertEquals("'+cmd|' /C calc'!A0", row.get("plus"));
        assertEquals("'\t=1", row.get("tab"));
        assertEquals("-2.5", row.get("negative"), "a plain number cannot be a formula and stays a number");
        List<CSVRecord> long_ = ExportsTest.csv(h.api.get("/api/sessions/s1/export.csv?shape=long"));
        assertEquals(
                "'=HYPERLINK(\"http://evil.example\",\"click\")", long_.get(0).get("value"));
    }

    @Test
    void aFieldNamedLikeAHostColumnIsNotASecondColumn() throws Exception {
        CSVRecord row = ExportsTest.csv(h.api.get("/api/sessions/s1/export.csv?shape=wide"))
                .get(0);
        assertEquals(
                List.of(
                        "id",
                        "name",
                        "status",
                        "condition",
                        "code_version",
                        "bonus",
                        "at",
                        "link",
                        "negative",
                        "plus",
                        "tab"),
                row.getParser().getHeaderNames(),
                "one column per name: never two status or bonus columns");
        assertEquals("STARTED", row.get("status"), "the host's status, not the field's");
        assertEquals("0.00", row.get("bonus"));
        // JSON keeps fields in their own object, so nothing there can shadow a host key.
        JsonNode p1 =
                JSON.readTree(h.api.get("/api/sessions/s1/export.json").body()).get(0);
        assertEquals("STARTED", p1.get("status").asText());
        assertEquals("COMPLETED", p1.at("/fields/status").asText());
    }
}
