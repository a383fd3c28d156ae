package io.cohort.plugin.resultsimport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.payment.PaymentKind;
import io.cohort.api.payment.PlanRow;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Results files read, filtered and checked as nodegame-mturk would, and the summary it shows before settling. */
class ResultsFileTest {

    @Test
    void nodegameSampleIsSummedAsByHand() throws Exception {
        RowChecks.Checked checked = check("nodegame-results.csv", Map.of());
        assertEquals(List.of(), checked.problems());
        // The bot is left out by the default filter.
        assertEquals(
                List.of("A1WORKER", "A2WORKER", "A3WORKER", "A4WORKER"),
                checked.rows().stream().map(ImportRow::workerId).toList());
        assertEquals(
                List.of(2, 3, 4, 5),
                checked.rows().stream().map(ImportRow::line).toList());
        assertEquals(
                List.of("APPROVE", "APPROVE", "APPROVE", "REJECT"),
                checked.rows().stream().map(ImportRow::decision).toList());
        Map<String, Object> summary = summary(checked.rows());
        assertEquals(3, summary.get("approve"));
        assertEquals(1, summary.get("reject"));
        // 1.25, 0.50, 2.00: total 3.75, mean 1.25, std sqrt((0 + 0.5625 + 0.5625) / 3) = 0.612...
        assertEquals(
                Map.of("count", 3, "total", "3.75", "mean", "1.25", "std", "0.61", "min", "0.50", "max", "2.00"),
                summary.get("bonus"));
        assertEquals("EXIT3", checked.rows().get(2).exitCode());
    }

    @Test
    void mturkBatchFileWithSemicolonsNeedsNoMapping() throws Exception {
        RowChecks.Checked checked = check("mturk-batch.csv", Map.of());
        assertEquals(List.of(), checked.problems());
        List<ImportRow> rows = checked.rows();
        assertEquals(
                List.of("ASSIGN10", "ASSIGN11", "ASSIGN12", "ASSIGN13", "ASSIGN14"),
                rows.stream().map(ImportRow::assignmentId).toList());
        // The rejection's reason spans two lines inside quotes: the next row is on line 7.
        assertEquals(List.of(2, 3, 4, 5, 7), rows.stream().map(ImportRow::line).toList());
        assertEquals("REJECT", rows.get(3).decision());
        assertEquals("Did not answer the\nquestions", rows.get(3).feedback());
        assertEquals("", rows.get(4).decision(), "approved already: no decision asked for");
        assertEquals("HITB", rows.get(0).hitId());
        Map<String, Object> summary = summary(rows);
        assertEquals(3, summary.get("approve"));
        assertEquals(1, summary.get("reject"));
        // 0.10, 0.20, 0.60, 1.00: total 1.90, mean 0.475, std sqrt(1268.75) cents = 0.356...
        assertEquals(
                Map.of("count", 4, "total", "1.90", "mean", "0.48", "std", "0.36", "min", "0.10", "max", "1.00"),
                summary.get("bonus"));
    }

    @Test
    void columnsAreMappedAndMatchedIgnoringCaseOnRequest() {
        String file = "Pay,worker,assignmentid,hitid,approve,reject\n1.50,W1,A1,H1,1,\n";
        RowChecks.Checked exact = RowChecks.check(
                ResultsFile.read("pay.csv", file, Columns.parse("bonus=Pay,WorkerId=worker", false)),
                settings(Map.of()));
        assertEquals(List.of("pay.csv line 2 (worker W1): no AssignmentId"), exact.problems());
        RowChecks.Checked ignoring = RowChecks.check(
                ResultsFile.read("pay.csv", file, Columns.parse("bonus=Pay,WorkerId=worker", true)),
                settings(Map.of("ignoreCase", "true")));
        assertEquals(List.of(), ignoring.problems());
        ImportRow row = ignoring.rows().get(0);
        assertEquals(
                List.of("W1", "A1", "H1", "APPROVE", 150L),
                List.of(row.workerId(), row.assignmentId(), row.hitId(), row.decision(), row.bonusCents()));
        IllegalArgumentException bad =
                assertThrows(IllegalArgumentException.class, () -> Columns.parse("salary=Pay", false));
        assertTrue(
                bad.getMessage().startsWith("columns: 'salary' is not one of id, bonus, WorkerId"), bad.getMessage());
    }

    @Test
    void everyFaultIsRefusedNamingLineAndWorker() {
        String header = "bonus,WorkerId,AssignmentId,HITId,Approve,Reject,exit,RequesterFeedback\n";
        String good = "1.00,W1,A1,H1,1,,E1,\n";
        String longFeedback = "x".repeat(1025);
        // Each case: the second row, the options, and the one problem expected.
        Object[][] cases = {
            {
                "0.50,W1,A2,H1,1,,E2,\n",
                Map.of(),
                "f.csv line 3 (worker W1): worker W1 is also on f.csv line 2 (worker W1)"
            },
            {
                "0.50,W2,A1,H1,1,,E2,\n",
                Map.of(),
                "f.csv line 3 (worker W2): assignment A1 is also on f.csv line 2 (worker W1)"
            },
            {
                "0.50,W2,A2,H1,1,,E1,\n",
                Map.of(),
                "f.csv line 3 (worker W2): exit code E1 is also on f.csv line 2 (worker W1)"
            },
            {"0.50,,A2,H1,1,,E2,\n", Map.of(), "f.csv line 3: no WorkerId"},
            {"0.50,W2,,H1,1,,E2,\n", Map.of(), "f.csv line 3 (worker W2): no AssignmentId"},
            {
                "0.50,W2,A2,H9,1,,E2,\n",
                Map.of("hit", "H1"),
                "f.csv line 3 (worker W2): HIT 'H9' is not the HIT chosen, H1"
            },
            {"lots,W2,A2,H1,1,,E2,\n", Map.of(), "f.csv line 3 (worker W2): bonus 'lots' is not a number"},
            {
                "0.05,W2,A2,H1,1,,E2,\n",
                Map.of("minBonus", "0.10"),
                "f.csv line 3 (worker W2): bonus 0.05 is under the minimum 0.10"
            },
            {
                "12.00,W2,A2,H1,1,,E2,\n",
                Map.of("maxBonus", "5"),
                "f.csv line 3 (worker W2): bonus 12.00 is over the maximum 5.00"
            },
            {"0.50,W2,A2,H1,1,1,E2,\n", Map.of(), "f.csv line 3 (worker W2): both Approve and Reject are marked"},
            {"0.50,W2,A2,H1,,,E2,\n", Map.of(), "f.csv line 3 (worker W2): neither Approve nor Reject is marked"},
            {
                "0.50,W2,A2,H1,,1,E2," + longFeedback + "\n",
                Map.of(),
                "f.csv line 3 (worker W2): feedback is 1025 characters; MTurk takes at most 1024"
            },
            {
                "0.50,W2,A2,H1,1,,E9,\n",
                Map.of("inputCodes", "E1\nE2\n"),
                "f.csv line 3 (worker W2): exit code 'E9' is not among the input codes"
            },
            {
                "0.50,W2,A2,H1,1,,E9,\n",
                Map.of("inputCodes", "id,ExitCode\n1,E1\n2,E2\n"),
                "f.csv line 3 (worker W2): exit code 'E9' is not among the input codes"
            },
        };
        for (Object[] c : cases) {
            @SuppressWarnings("unchecked")
            Map<String, String> options = (Map<String, String>) c[1];
            RowChecks.Checked checked = RowChecks.check(
                    ResultsFile.read("f.csv", header + good + c[0], Columns.DEFAULT), settings(options));
            assertEquals(List.of((String) c[2]), checked.problems(), "row " + c[0]);
        }
        IllegalArgumentException open = assertThrows(
                IllegalArgumentException.class,
                () -> ResultsFile.read("f.csv", header + good + "\"0.50,W2,A2,H1,1,,E2,\n", Columns.DEFAULT));
        assertTrue(open.getMessage().startsWith("f.csv: ") && open.getMessage().contains("line"), open.getMessage());
    }

    @Test
    void withoutDecisionColumnsApprovingAllIsAskedFor() {
        String file = "bonus,WorkerId,AssignmentId\n0.40,W1,A1\n0,W2,A2\n";
        RowChecks.Checked bonusOnly =
                RowChecks.check(ResultsFile.read("b.csv", file, Columns.DEFAULT), settings(Map.of()));
        assertEquals(
                List.of("", ""),
                bonusOnly.rows().stream().map(ImportRow::decision).toList());
        RowChecks.Checked all = RowChecks.check(
                ResultsFile.read("b.csv", file, Columns.DEFAULT),
                settings(Map.of("approveAll", "true", "qualification", "QUALTYPE1", "value", "3")));
        assertEquals(
                List.of("APPROVE", "APPROVE"),
                all.rows().stream().map(ImportRow::decision).toList());
        assertEquals(
                List.of("QUALTYPE1", "QUALTYPE1"),
                all.rows().stream().map(ImportRow::qualification).toList());
        assertEquals(
                List.of(3, 3),
                all.rows().stream().map(ImportRow::qualificationValue).toList());
        Map<String, Object> summary = summary(all.rows());
        assertEquals(2, summary.get("qualify"));
        assertEquals(1, ((Map<?, ?>) summary.get("bonus")).get("count"));
    }

    @Test
    void gameFolderLoadsTheFirstFileOfEachRoomAndListsTheEmptyOne() throws Exception {
        Path game = Path.of(getClass().getResource("/game").toURI());
        GameFolder.Loaded loaded = GameFolder.load(game, "60-62", Columns.DEFAULT);
        assertEquals(
                List.of(
                        new GameFolder.Room("room000060", "bonus.csv"),
                        new GameFolder.Room("room000061", "results.csv"),
                        new GameFolder.Room("room000062", null)),
                loaded.rooms());
        assertEquals(
                List.of("room000060/bonus.csv:2:G1", "room000060/bonus.csv:3:G2", "room000061/results.csv:2:G3"),
                loaded.rows().stream()
                        .map(r -> r.file() + ":" + r.line() + ":" + r.get("WorkerId"))
                        .toList());
        assertEquals(
                "rooms: '62-60' is not a range from a room to a later one",
                assertThrows(IllegalArgumentException.class, () -> GameFolder.load(game, "62-60", Columns.DEFAULT))
                        .getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> GameFolder.load(game.resolve("data"), "60", Columns.DEFAULT))
                .getMessage()
                .endsWith("has no data folder (a nodeGame game keeps its rooms in data/room000001/...)"));
    }

    @Test
    void filterLanguage() {
        Map<String, String> row = new HashMap<>(Map.of("type", "player", "bonus", "1.5", "skip", "", "name", "Ann"));
        assertTrue(Filter.parse(Filter.DEFAULT).keeps(row, false));
        assertTrue(Filter.parse("type != \"bot\" and bonus > 0").keeps(row, false));
        assertTrue(Filter.parse("bonus >= 1.5 and bonus <= 1.50 and not (bonus < 1 or bonus == 2)")
                .keeps(row, false));
        assertTrue(Filter.parse("bonus > 10 or name == 'Ann'").keeps(row, false));
        assertTrue(Filter.parse("not missing").keeps(row, false), "a column the file lacks is empty");
        assertTrue(Filter.parse("Bonus > 1").keeps(row, true));
        assertEquals(false, Filter.parse("Bonus > 1").keeps(row, false));
        assertEquals(false, Filter.parse("bonus > 9").keeps(row, false), "numbers compare as numbers, not text");
        row.put("type", "bot");
        assertEquals(false, Filter.parse(Filter.DEFAULT).keeps(row, false));
        row.put("type", "player");
        row.put("skip", "true");
        assertEquals(false, Filter.parse(Filter.DEFAULT).keeps(row, false));

        String[][] bad = {
            {"type == ", "filter: position 9: expected a column, a string or a number, found the end"},
            {"(bonus > 0", "filter: position 11: expected ')' to close the '(' at position 1, found the end"},
            {"type = \"bot\"", "filter: position 6: '=' is not an operator (use == != < <= > >=)"},
            {"type == \"bot", "filter: position 9: the string is not closed"},
            {"bonus > 0 bonus", "filter: position 11: expected and, or or the end, found 'bonus'"},
            {"System.exit(0)", "filter: position 12: expected and, or or the end, found '('"},
            {"a; b", "filter: position 2: ';' is not allowed here"},
        };
        for (String[] b : bad) {
            assertEquals(
                    b[1],
                    assertThrows(IllegalArgumentException.class, () -> Filter.parse(b[0]))
                            .getMessage(),
                    b[0]);
        }
    }

    @Test
    void eachKindBecomesTheLedgerRowItsContractAsks() {
        String file = "bonus,WorkerId,AssignmentId,Approve,Reject,QualificationTypeId,IntegerValue,RequesterFeedback\n"
                + "1.20,W1,A1,1,,QT1,5,Well done\n";
        ImportRow row = RowChecks.check(ResultsFile.read("q.csv", file, Columns.DEFAULT), settings(Map.of()))
                .rows()
                .get(0);
        Settings settings = settings(Map.of("reason", "For your points"));
        assertEquals(
                new PlanRow(1, null, "W1", "A1", "", "Well done"),
                ResultsImports.planRow(PaymentKind.APPROVE, settings, row));
        assertEquals(
                new PlanRow(1, null, "W1", "A1", "1.20", "For your points"),
                ResultsImports.planRow(PaymentKind.BONUS, settings, row));
        // QUALIFY: the integer value as the amount, the qualification type as the reason.
        assertEquals(
                new PlanRow(1, null, "W1", "A1", "5", "QT1"),
                ResultsImports.planRow(PaymentKind.QUALIFY, settings, row));
        assertEquals(
                new PlanRow(1, null, "W1", "A1", "1.20", Settings.DEFAULT_REASON),
                ResultsImports.planRow(PaymentKind.BONUS, settings(Map.of()), row));
    }

    // ----

    private static Settings settings(Map<String, String> values) {
        return new Settings(new HashMap<>(values));
    }

    private RowChecks.Checked check(String fixture, Map<String, String> options) throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/files/" + fixture)) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return RowChecks.check(ResultsFile.read(fixture, text, Columns.DEFAULT), settings(options));
        }
    }

    private static Map<String, Object> summary(List<ImportRow> rows) {
        return Summary.of(
                ResultsImports.rowsOf(PaymentKind.APPROVE, rows),
                ResultsImports.rowsOf(PaymentKind.REJECT, rows),
                ResultsImports.rowsOf(PaymentKind.BONUS, rows),
                ResultsImports.rowsOf(PaymentKind.QUALIFY, rows),
                null,
                null);
    }
}
