package io.cohort.plugin.prisonersdilemma;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.DelegatingLoader;
import io.pebbletemplates.pebble.loader.FileLoader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The experiment's templates rendered with the model the host gives a page (participant, page, fields, settings,
 * static), inside a stand-in for the host's participant.peb that only places the content block.
 */
class PagesTest {

    static final Map<String, Object> SETTINGS = Map.of(
            "payoff", Map.of("CC", List.of(3, 3), "CD", List.of(0, 5), "DC", List.of(5, 0), "DD", List.of(1, 1)),
            "centsPerPoint", 10);

    @TempDir
    static Path host;
    static PebbleEngine engine;

    @BeforeAll
    static void engine() throws Exception {
        Files.writeString(host.resolve("participant.peb"), "<main>{% block content %}{% endblock %}</main>");
        FileLoader experiment = new FileLoader(PrisonersDilemmaTest.EXPERIMENT.toAbsolutePath().toString());
        FileLoader hostTemplates = new FileLoader(host.toString());
        engine = new PebbleEngine.Builder().loader(new DelegatingLoader(List.of(experiment, hostTemplates)))
                .autoEscaping(true).strictVariables(false).build();
    }

    static String render(String template, String page, Map<String, Object> fields) throws Exception {
        Map<String, Object> model = new HashMap<>();
        model.put("participant", Map.of("name", "ann", "pageIndex", 4));
        model.put("page", Map.of("name", page, "kind", "form"));
        model.put("fields", fields);
        model.put("settings", SETTINGS);
        model.put("static", "/p/s1/t1/static");
        StringWriter out = new StringWriter();
        engine.getTemplate(template).evaluate(out, model);
        return out.toString().replaceAll("\\s+", " ");
    }

    @Test
    void welcomeShowsThePayoffTableAndTheWorthOfAPoint() throws Exception {
        String html = render("welcome.peb", "welcome", Map.of());
        assertTrue(html.contains("<th>You defect</th><td>5 / 0</td><td>1 / 1</td>"), html);
        assertTrue(html.contains("worth 10 cents"), html);
        assertTrue(html.contains("href=\"/p/s1/t1/static/pd.css\""), html);
    }

    @Test
    void aDecisionShowsTheEarlierRounds() throws Exception {
        String first = render("decide.peb", "decide-1", Map.of());
        assertTrue(first.contains("<h1>Round 1</h1>"), first);
        assertFalse(first.contains("Earlier rounds"), first);

        String third = render("decide.peb", "decide-3", Map.of(
                "choice_1", "cooperate", "partner_choice_1", "defect", "payoff_1", 0,
                "choice_2", "defect", "partner_choice_2", "defect", "payoff_2", 1, "total_payoff", 1));
        assertTrue(third.contains("<h1>Round 3</h1>"), third);
        assertTrue(third.contains("<tr><td>1</td><td>cooperate</td><td>defect</td><td>0</td></tr>"), third);
        assertTrue(third.contains("<tr><td>2</td><td>defect</td><td>defect</td><td>1</td></tr>"), third);
        assertFalse(third.contains("<td>3</td>"), third);
    }

    @Test
    void aResultShowsBothChoicesAndThePoints() throws Exception {
        String html = render("result.peb", "result-2", Map.of(
                "choice_2", "defect", "partner_choice_2", "cooperate", "payoff_2", 5, "total_payoff", 8));
        assertTrue(html.contains("<h1>Result of round 2</h1>"), html);
        assertTrue(html.contains("<dd id=\"own-choice\">defect</dd>"), html);
        assertTrue(html.contains("<dd id=\"partner-choice\">cooperate</dd>"), html);
        assertTrue(html.contains("<dd id=\"payoff\">5</dd>"), html);
        assertTrue(html.contains("<dd id=\"total\">8</dd>"), html);

        String alone = render("result.peb", "result-3", Map.of(
                "choice_3", "defect", "partner_choice_3", "none", "payoff_3", 0, "total_payoff", 8));
        assertTrue(alone.contains("your partner left, so no one scores this round"), alone);
    }

    @Test
    void theEndShowsTheTotalAndTheBonus() throws Exception {
        String html = render("end.peb", "end", Map.of("total_payoff", 9));
        assertTrue(html.contains("<strong id=\"total\">9</strong>"), html);
        assertTrue(html.contains("<strong id=\"bonus\">0.90</strong> dollars (10 cents a point)"), html);
    }

    @Test
    void theWaitPageSaysWhatItWaitsFor() throws Exception {
        assertTrue(render("wait.peb", "wait-1", Map.of()).contains("as soon as your partner has chosen too"));
    }
}
