package io.cohort.plugin.prisonersdilemma;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.data.FieldValue;
import io.cohort.api.data.PageVisit;
import io.cohort.api.data.ParticipantData;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.platform.experiment.ExperimentYaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Three rounds scored through the hook, with the experiment's own experiment.yaml for the default settings. */
class PrisonersDilemmaTest {

    static final Path EXPERIMENT = Path.of("src/main/resources/experiment");

    final Data data = new Data();
    final Bonuses bonuses = new Bonuses();
    final PrisonersDilemma game = new PrisonersDilemma(bonuses, new Shipped());
    final Session session = session("{}");
    final Participant ann = participant("ann");
    final Participant bob = participant("bob");

    @Test
    void theShippedExperimentIsValidAndHasThreeRoundsForTwo() throws Exception {
        Experiment e = new Shipped().find(PrisonersDilemma.NAME).orElseThrow();
        assertEquals(2, e.groupSize());
        assertEquals(List.of("welcome", "decide-1", "wait-1", "result-1", "decide-2", "wait-2", "result-2",
                "decide-3", "wait-3", "result-3", "end"), e.pages().stream().map(p -> p.name()).toList());
        assertEquals(PageKind.WAIT, e.pages().get(2).kind());
        assertEquals(List.of("cooperate", "defect"), e.pages().get(1).fields().get(0).choices());
        assertTrue(e.pages().get(1).fields().get(0).required());
    }

    @Test
    void threeRoundsScoreEachPlayerAndSetTheBonus() {
        play(1, "cooperate", "cooperate");
        assertEquals("\"cooperate\"", data.current(ann.id()).get("partner_choice_1"));
        assertEquals("3", data.current(ann.id()).get("payoff_1"));
        assertEquals("3", data.current(bob.id()).get("total_payoff"));
        assertEquals(30L, bonuses.cents.get(ann.id()));

        play(2, "cooperate", "defect");
        assertEquals("\"defect\"", data.current(ann.id()).get("partner_choice_2"));
        assertEquals("\"cooperate\"", data.current(bob.id()).get("partner_choice_2"));
        assertEquals("0", data.current(ann.id()).get("payoff_2"));
        assertEquals("5", data.current(bob.id()).get("payoff_2"));

        play(3, "defect", "defect");
        assertEquals("4", data.current(ann.id()).get("total_payoff"));
        assertEquals("9", data.current(bob.id()).get("total_payoff"));
        assertEquals(40L, bonuses.cents.get(ann.id()));
        assertEquals(90L, bonuses.cents.get(bob.id()));

        // Every write says where it came from.
        assertTrue(data.writes.stream().filter(w -> !w.key().startsWith("choice_"))
                .allMatch(w -> w.setBy().equals("PrisonersDilemma.java:groupArrived")));
        assertTrue(bonuses.by.stream().allMatch("PrisonersDilemma.java:groupArrived"::equals));
        assertEquals(List.of("3", "3", "4"),
                data.history(ann.id(), "total_payoff").stream().map(FieldValue::value).toList());
    }

    @Test
    void aPlayerLeftAloneScoresNothingThatRound() {
        play(1, "defect", "cooperate");
        data.set(ann.id(), "choice_2", "\"defect\"", "decide-2");
        game.groupArrived(session, "wait-2", List.of(ann), data);
        assertEquals("\"none\"", data.current(ann.id()).get("partner_choice_2"));
        assertEquals("0", data.current(ann.id()).get("payoff_2"));
        assertEquals("5", data.current(ann.id()).get("total_payoff"));
        assertEquals(50L, bonuses.cents.get(ann.id()));
        assertEquals(null, data.current(bob.id()).get("payoff_2"), "the one who left is not scored");
    }

    @Test
    void theSessionsSettingsDecideThePayoffs() {
        Session rich = session("{\"centsPerPoint\": 100, \"payoff\": {\"CC\": [7,7], \"CD\": [0,9], \"DC\": [9,0], \"DD\": [2,2]}}");
        data.set(ann.id(), "choice_1", "\"cooperate\"", "decide-1");
        data.set(bob.id(), "choice_1", "\"cooperate\"", "decide-1");
        game.groupArrived(rich, "wait-1", List.of(ann, bob), data);
        assertEquals("7", data.current(ann.id()).get("payoff_1"));
        assertEquals(700L, bonuses.cents.get(bob.id()));
    }

    @Test
    void otherPagesAreNotScored() {
        data.set(ann.id(), "choice_1", "\"cooperate\"", "decide-1");
        game.groupArrived(session, "lobby", List.of(ann, bob), data);
        game.groupArrived(session, "wait-x", List.of(ann, bob), data);
        assertEquals(List.of("choice_1"), List.copyOf(data.current(ann.id()).keySet()));
        assertTrue(bonuses.cents.isEmpty());
    }

    void play(int round, String annChooses, String bobChooses) {
        data.set(ann.id(), "choice_" + round, "\"" + annChooses + "\"", "decide-" + round);
        data.set(bob.id(), "choice_" + round, "\"" + bobChooses + "\"", "decide-" + round);
        game.groupArrived(session, "wait-" + round, List.of(ann, bob), data);
    }

    static Session session(String settings) {
        return new Session("s1", "demo", PrisonersDilemma.NAME, "1.0", 2, true, false, false, "", settings, Instant.now());
    }

    static Participant participant(String name) {
        return new Participant("id-" + name, "s1", name, "token-" + name, null, null, null, null, null, null, "1.0",
                ParticipantStatus.STARTED, 0, 1, "g1", Instant.now(), Instant.now());
    }

    /** The experiment as shipped in this bundle, read by the host's own reader. */
    static final class Shipped implements Experiments {
        @Override
        public List<Experiment> list() {
            return List.of(find(PrisonersDilemma.NAME).orElseThrow());
        }

        @Override
        public Optional<Experiment> find(String name) {
            try {
                return Optional.of(ExperimentYaml.read(Files.readAllBytes(EXPERIMENT.resolve("experiment.yaml")),
                        "experiment/experiment.yaml", name, p -> Files.isRegularFile(EXPERIMENT.resolve(p))));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Field history in memory: what the hook writes, in order. */
    static final class Data implements ParticipantData {
        final List<FieldValue> writes = new ArrayList<>();

        @Override
        public void set(String participantId, String key, String value, String setBy) {
            writes.add(new FieldValue(participantId, key, value, Instant.now(), setBy));
        }

        @Override
        public Map<String, String> current(String participantId) {
            Map<String, String> current = new LinkedHashMap<>();
            writes.stream().filter(w -> w.participantId().equals(participantId)).forEach(w -> current.put(w.key(), w.value()));
            return current;
        }

        @Override
        public List<FieldValue> history(String participantId, String key) {
            return writes.stream().filter(w -> w.participantId().equals(participantId) && w.key().equals(key)).toList();
        }

        @Override
        public List<PageVisit> visits(String participantId) {
            return List.of();
        }
    }

    /** Records bonuses; nothing else of Participants is used by the hook. */
    static final class Bonuses implements Participants {
        final Map<String, Long> cents = new HashMap<>();
        final List<String> by = new ArrayList<>();

        @Override
        public void setBonus(String participantId, long amount, String setBy) {
            cents.put(participantId, amount);
            by.add(setBy);
        }

        @Override
        public Optional<Participant> find(String id) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<Participant> byToken(String sessionId, String token) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<Participant> ofSession(String sessionId) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Participant add(String sessionId, String name, CrowdArrival crowd, String by) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void setStatus(String participantId, ParticipantStatus status, String by) {
            throw new UnsupportedOperationException();
        }
    }
}
