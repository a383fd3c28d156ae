package io.cohort.plugin.prisonersdilemma.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.data.FieldValue;
import io.cohort.api.data.ParticipantData;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.SessionTab;
import io.cohort.platform.InProcessNode;
import io.cohort.plugin.digest.internal.DigestTab;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped experiment played through the host's participant pages on a real database: its pages render in the
 * host as shipped, the wait pages release each pair, the hook scores the rounds into the players' fields and bonuses.
 */
class PrisonersDilemmaTest {

    static final Path EXPERIMENT = Path.of("src/main/resources/experiment");
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String TOKEN = "pd-test-token";
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;

    static InProcessNode node;
    static Sessions sessions;
    static Participants participants;
    static ParticipantData data;
    static PrisonersDilemma game;

    @BeforeAll
    static void start() throws Exception {
        // The experiment as a folder, so the test host reads this module's own files.
        Path folder = home.resolve("experiments").resolve(PrisonersDilemma.NAME);
        try (Stream<Path> files = Files.walk(EXPERIMENT)) {
            for (Path f : files.toList()) {
                Path to = folder.resolve(EXPERIMENT.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        node = InProcessNode.start(home, Map.of("COHORT_DB_URL", TestDatabase.create(), "COHORT_API_TOKEN", TOKEN));
        sessions = service(Sessions.class);
        participants = service(Participants.class);
        data = service(ParticipantData.class);
        game = new PrisonersDilemma(participants, service(Experiments.class));
        node.context()
                .registerService(
                        ExperimentHooks.class,
                        game,
                        new Hashtable<>(Map.of(ExperimentHooks.EXPERIMENT, PrisonersDilemma.NAME)));
        // The digest plugin's tab, as its component would register it, bound to this experiment's hooks.
        DigestTab digest = new DigestTab(participants, data, service(Experiments.class));
        digest.bindHooks(game, Map.of(ExperimentHooks.EXPERIMENT, PrisonersDilemma.NAME));
        node.context()
                .registerService(
                        SessionTab.class,
                        digest,
                        new Hashtable<>(Map.of(SessionTab.PATH, "digest", SessionTab.LABEL, "Digest")));
    }

    @AfterAll
    static void stop() throws Exception {
        node.close();
    }

    static <T> T service(Class<T> type) {
        return node.context().getService(node.context().getServiceReference(type));
    }

    @Test
    void theShippedExperimentIsValidAndHasThreeRoundsForTwo() {
        Experiment e = service(Experiments.class).find(PrisonersDilemma.NAME).orElseThrow();
        assertEquals(2, e.groupSize());
        assertEquals(
                List.of(
                        "welcome",
                        "decide-1",
                        "wait-1",
                        "result-1",
                        "decide-2",
                        "wait-2",
                        "result-2",
                        "decide-3",
                        "wait-3",
                        "result-3",
                        "end"),
                e.pages().stream().map(p -> p.name()).toList());
        assertEquals(PageKind.WAIT, e.pages().get(2).kind());
        assertEquals(
                List.of("cooperate", "defect"), e.pages().get(1).fields().get(0).choices());
        assertTrue(e.pages().get(1).fields().get(0).required());
    }

    @Test
    void threeRoundsScoreEachPlayerAndSetTheBonus() throws Exception {
        List<Participant> pair = open("{}");
        Participant ann = pair.get(0);
        Participant bob = pair.get(1);
        String welcome = page(ann);
        assertTrue(welcome.contains("<th>You defect</th><td>5 / 0</td><td>1 / 1</td>"), welcome);
        assertTrue(welcome.contains("worth 10 cents"), welcome);
        post(ann, 0, "");
        post(bob, 0, "");
        String decide = page(ann);
        assertTrue(decide.contains("<h1>Round 1</h1>") && !decide.contains("Earlier rounds"), decide);
        post(ann, 1, "choice_1=cooperate");
        assertTrue(page(ann).contains("as soon as your partner has chosen too"), "ann waits for bob");
        post(bob, 1, "choice_1=cooperate");
        String result = page(ann);
        assertTrue(
                result.contains("<h1>Result of round 1</h1>")
                        && result.contains("<dd id=\"own-choice\">cooperate</dd>")
                        && result.contains("<dd id=\"partner-choice\">cooperate</dd>")
                        && result.contains("<dd id=\"payoff\">3</dd>")
                        && result.contains("<dd id=\"total\">3</dd>"),
                result);
        post(ann, 3, "");
        post(bob, 3, "");
        assertEquals("\"cooperate\"", data.current(ann.id()).get("partner_choice_1"));
        assertEquals("3", data.current(ann.id()).get("payoff_1"));
        assertEquals("3", data.current(bob.id()).get("total_payoff"));
        assertEquals(30L, bonus(ann));

        round(ann, bob, 2, "cooperate", "defect");
        String third = page(ann);
        assertTrue(
                third.contains("<h1>Round 3</h1>")
                        && third.contains("<tr><td>1</td><td>cooperate</td><td>cooperate</td><td>3</td></tr>")
                        && third.contains("<tr><td>2</td><td>cooperate</td><td>defect</td><td>0</td></tr>"),
                third);
        assertEquals("\"defect\"", data.current(ann.id()).get("partner_choice_2"));
        assertEquals("0", data.current(ann.id()).get("payoff_2"));
        assertEquals("5", data.current(bob.id()).get("payoff_2"));

        round(ann, bob, 3, "defect", "defect");
        assertEquals("4", data.current(ann.id()).get("total_payoff"));
        assertEquals("9", data.current(bob.id()).get("total_payoff"));
        assertEquals(40L, bonus(ann));
        assertEquals(90L, bonus(bob));
        String end = page(bob);
        assertTrue(
                end.contains("<strong id=\"total\">9</strong>")
                        && end.contains("<strong id=\"bonus\">0.90</strong>")
                        && end.contains("dollars (10 cents a point)"),
                end);
        post(ann, 10, "");
        assertEquals(
                ParticipantStatus.COMPLETED,
                participants.find(ann.id()).orElseThrow().status(),
                "past the end page");

        // Every value the hook wrote says where it came from.
        for (String key : List.of("partner_choice_1", "payoff_2", "total_payoff", "bonus_cents")) {
            assertTrue(
                    data.history(ann.id(), key).stream().allMatch(v -> v.setBy().equals(PrisonersDilemma.SET_BY)), key);
        }
        assertEquals(
                List.of("3", "3", "4"),
                data.history(ann.id(), "total_payoff").stream()
                        .map(FieldValue::value)
                        .toList());
    }

    @Test
    void aPlayerLeftAloneScoresNothingThatRound() throws Exception {
        List<Participant> pair = open("{}");
        Participant ann = pair.get(0);
        Participant bob = pair.get(1);
        post(ann, 0, "");
        post(bob, 0, "");
        round(ann, bob, 1, "defect", "cooperate");
        participants.setStatus(bob.id(), ParticipantStatus.DROPOUT, "admin:test");
        post(ann, 4, "choice_2=defect");
        assertEquals(6, participants.find(ann.id()).orElseThrow().pageIndex(), "released alone from wait-2");
        assertEquals("\"none\"", data.current(ann.id()).get("partner_choice_2"));
        assertEquals("0", data.current(ann.id()).get("payoff_2"));
        assertEquals("5", data.current(ann.id()).get("total_payoff"));
        assertEquals(50L, bonus(ann));
        assertNull(data.current(bob.id()).get("payoff_2"), "the one who left is not scored");
        assertTrue(page(ann).contains("your partner left, so no one scores this round"));
    }

    @Test
    void theSessionsSettingsDecideThePayoffs() throws Exception {
        List<Participant> pair = open(
                "{\"centsPerPoint\": 100, \"payoff\": {\"CC\": [7,7], \"CD\": [0,9], \"DC\": [9,0], \"DD\": [2,2]}}");
        post(pair.get(0), 0, "");
        post(pair.get(1), 0, "");
        round(pair.get(0), pair.get(1), 1, "cooperate", "cooperate");
        assertEquals("7", data.current(pair.get(0).id()).get("payoff_1"));
        assertEquals(700L, bonus(pair.get(1)));
    }

    @Test
    void otherPagesAreNotScored() throws Exception {
        List<Participant> pair = open("{}");
        Session s = sessions.find(pair.get(0).sessionId()).orElseThrow();
        data.set(pair.get(0).id(), "choice_1", "\"cooperate\"", "test");
        game.groupArrived(s, "lobby", pair, data);
        game.groupArrived(s, "wait-x", pair, data);
        assertEquals(
                List.of("choice_1", "status"),
                data.current(pair.get(0).id()).keySet().stream().sorted().toList());
        assertEquals(0L, bonus(pair.get(0)));
    }

    @Test
    void theDigestTabSaysWhatTheSessionsExportSays() throws Exception {
        List<Participant> four = open("{}", 4);
        four.forEach(p -> {
            try {
                post(p, 0, "");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        // two pairs, formed on the first wait page in the order they arrive: one always cooperates
        String[][] choices = {
            {"cooperate", "cooperate", "cooperate"},
            {"cooperate", "cooperate", "cooperate"},
            {"defect", "defect", "defect"},
            {"cooperate", "defect", "defect"}
        };
        for (int round = 1; round <= 3; round++) {
            round(four.get(0), four.get(1), round, choices[0][round - 1], choices[1][round - 1]);
            round(four.get(2), four.get(3), round, choices[2][round - 1], choices[3][round - 1]);
        }

        JsonNode digest = JSON.readTree(api("/api/sessions/" + four.get(0).sessionId() + "/digest"))
                .get("page");
        assertTrue(digest.get("own").asBoolean());
        JsonNode exported = JSON.readTree(api("/api/sessions/" + four.get(0).sessionId() + "/export.json"));
        assertEquals(4, exported.size());

        // What the export says, computed here from each participant's current fields and bonus.
        List<Double> cooperation = new java.util.ArrayList<>();
        List<Double> meanPoints = new java.util.ArrayList<>();
        for (int round = 1; round <= 3; round++) {
            int chose = 0;
            int cooperated = 0;
            int points = 0;
            int scored = 0;
            for (JsonNode p : exported) {
                JsonNode choice = p.get("fields").get("choice_" + round);
                if (choice != null) {
                    chose++;
                    cooperated += choice.asText().equals("cooperate") ? 1 : 0;
                }
                JsonNode payoff = p.get("fields").get("payoff_" + round);
                if (payoff != null) {
                    scored++;
                    points += payoff.asInt();
                }
            }
            cooperation.add((double) cooperated / chose);
            meanPoints.add((double) points / scored);
        }
        java.math.BigDecimal total = java.math.BigDecimal.ZERO;
        int alwaysCooperating = 0;
        for (JsonNode p : exported) {
            total = total.add(new java.math.BigDecimal(p.get("bonus").asText()));
            boolean always = true;
            for (int round = 1; round <= 3; round++) {
                always &= p.get("fields").get("choice_" + round).asText().equals("cooperate")
                        && p.get("fields")
                                .get("partner_choice_" + round)
                                .asText()
                                .equals("cooperate");
            }
            alwaysCooperating += always ? 1 : 0;
        }

        JsonNode values = digest.get("digest");
        assertEquals(cooperation, doubles(values.get("Cooperation rate per round")));
        assertEquals(List.of(0.75, 0.5, 0.5), cooperation, "the choices above, as a check of this test");
        assertEquals(meanPoints, doubles(values.get("Mean points per round")));
        assertEquals(0, total.compareTo(values.get("Bonus total").decimalValue()), values.toString());
        assertEquals(
                0,
                total.divide(java.math.BigDecimal.valueOf(4), 2, java.math.RoundingMode.HALF_UP)
                        .compareTo(values.get("Bonus mean").decimalValue()),
                values.toString());
        assertEquals(
                alwaysCooperating / 2,
                values.get("Pairs that always cooperated").asInt());
        assertEquals(1, alwaysCooperating / 2);
        assertEquals(2, values.get("Pairs").size());
    }

    static List<Double> doubles(JsonNode array) {
        List<Double> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asDouble()));
        return out;
    }

    /** A GET under /api with the admin's token; its body. */
    static String api(String path) throws Exception {
        HttpResponse<String> r = HTTP.send(
                HttpRequest.newBuilder(URI.create(node.url() + path.substring(1)))
                        .header("Authorization", "Bearer " + TOKEN)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r.body();
    }

    /** A new session of two, both on the welcome page. */
    static List<Participant> open(String settings) {
        return open(settings, 2);
    }

    /** A new session of {@code size}, everyone on the welcome page. */
    static List<Participant> open(String settings, int size) {
        Session s =
                sessions.create(new NewSession(PrisonersDilemma.NAME, size, settings, null, List.of(), false, "test"));
        List<Participant> pair = participants.ofSession(s.id());
        pair.forEach(p -> HTTP.sendAsync(request(p).GET().build(), HttpResponse.BodyHandlers.discarding())
                .join());
        return pair;
    }

    /** Both decide, both reach the wait page (the second releases the pair), both read their result. */
    static void round(Participant ann, Participant bob, int round, String annChooses, String bobChooses)
            throws Exception {
        int decide = 1 + (round - 1) * 3;
        post(ann, decide, "choice_" + round + "=" + annChooses);
        post(bob, decide, "choice_" + round + "=" + bobChooses);
        assertEquals(
                decide + 2, participants.find(ann.id()).orElseThrow().pageIndex(), "the pair moved past wait-" + round);
        post(ann, decide + 2, "");
        post(bob, decide + 2, "");
    }

    static void post(Participant p, int page, String form) throws Exception {
        String body = "_page=" + page + (form.isEmpty() ? "" : "&" + form);
        HttpResponse<String> r = HTTP.send(
                request(p)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, r.statusCode(), p.name() + " page " + page + ": " + r.body());
    }

    /** The participant's current page, as their browser gets it. */
    static String page(Participant p) throws Exception {
        HttpResponse<String> r = HTTP.send(request(p).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }

    static HttpRequest.Builder request(Participant p) {
        return HttpRequest.newBuilder(URI.create(
                node.url() + "p/" + p.sessionId() + "/" + URLEncoder.encode(p.token(), StandardCharsets.UTF_8) + "/"));
    }

    static long bonus(Participant p) {
        return participants.find(p.id()).orElseThrow().bonusCents();
    }
}
