package io.cohort.plugin.prisonersdilemma.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.api.data.ParticipantData;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.ExperimentHooks;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The prisoner's dilemma's code: when both players of a group reach {@code wait-r}, each gets the partner's
 * {@code choice_r} as {@code partner_choice_r}, the round's {@code payoff_r}, the running {@code total_payoff},
 * and a bonus of total × {@code centsPerPoint}. A player whose partner dropped out plays against "none" and
 * scores 0 that round. The experiment itself (pages, templates) is in this bundle's {@code experiment/}.
 */
@Component(
        service = ExperimentHooks.class,
        property = {ExperimentHooks.EXPERIMENT + "=" + PrisonersDilemma.NAME, ExperimentHooks.RESOURCES + "=experiment"
        })
public final class PrisonersDilemma implements ExperimentHooks {

    static final String NAME = "prisoners-dilemma";
    /** Where the values this class writes come from, as the data browser shows it. */
    static final String SET_BY = "PrisonersDilemma.java:groupArrived";

    private static final Pattern WAIT_PAGE = Pattern.compile("wait-([1-9][0-9]*)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Participants participants;
    private final Experiments experiments;

    @Activate
    public PrisonersDilemma(@Reference Participants participants, @Reference Experiments experiments) {
        this.participants = participants;
        this.experiments = experiments;
    }

    @Override
    public void groupArrived(Session session, String page, List<Participant> group, ParticipantData data) {
        Matcher wait = WAIT_PAGE.matcher(page);
        if (!wait.matches()) {
            return;
        }
        int round = Integer.parseInt(wait.group(1));
        Payoffs payoffs = Payoffs.of(
                experiments.find(NAME).map(Experiment::defaultSettings).orElse("{}"), session.settings());
        // Everyone's values as they were on arrival, before this round's writes.
        Map<String, Map<String, String>> before = new HashMap<>();
        for (Participant member : group) {
            before.put(member.id(), data.current(member.id()));
        }
        for (int i = 0; i < group.size(); i++) {
            Participant member = group.get(i);
            Participant partner = partnerOf(group, i);
            String own = choice(before.get(member.id()), round);
            String theirs = partner == null ? Payoffs.NONE : choice(before.get(partner.id()), round);
            int points = payoffs.points(own, theirs);
            int total = points;
            for (int earlier = 1; earlier < round; earlier++) {
                total += integer(before.get(member.id()).get("payoff_" + earlier));
            }
            data.set(
                    member.id(),
                    "partner_choice_" + round,
                    JSON.getNodeFactory().textNode(theirs).toString(),
                    SET_BY);
            data.set(member.id(), "payoff_" + round, Integer.toString(points), SET_BY);
            data.set(member.id(), "total_payoff", Integer.toString(total), SET_BY);
            participants.setBonus(member.id(), payoffs.cents(total), SET_BY);
        }
    }

    /**
     * The session's digest: cooperation rate and mean points per round (null for a round nobody reached), the bonus
     * total and mean (in the currency's units), how many pairs cooperated in every round, and each pair's figures.
     */
    @Override
    public Map<String, Object> digest(Session session, List<Participant> players, ParticipantData data) {
        int rounds = (int) experiments.find(NAME).map(Experiment::pages).orElse(List.of()).stream()
                .filter(p -> p.name().startsWith("decide-"))
                .count();
        Map<String, Map<String, String>> fields = new HashMap<>();
        players.forEach(p -> fields.put(p.id(), data.current(p.id())));
        List<Double> cooperation = new ArrayList<>();
        List<Double> meanPoints = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
            int chose = 0;
            int cooperated = 0;
            int scored = 0;
            int points = 0;
            for (Participant p : players) {
                String choice = choice(fields.get(p.id()), round);
                if (!choice.equals(Payoffs.NONE)) {
                    chose++;
                    cooperated += choice.equals(Payoffs.COOPERATE) ? 1 : 0;
                }
                String payoff = fields.get(p.id()).get("payoff_" + round);
                if (payoff != null) {
                    scored++;
                    points += integer(payoff);
                }
            }
            cooperation.add(chose == 0 ? null : (double) cooperated / chose);
            meanPoints.add(scored == 0 ? null : (double) points / scored);
        }
        long cents = players.stream().mapToLong(Participant::bonusCents).sum();

        Map<String, List<Participant>> pairs = new TreeMap<>();
        players.stream()
                .filter(p -> p.group() != null)
                .forEach(p ->
                        pairs.computeIfAbsent(p.group(), g -> new ArrayList<>()).add(p));
        int alwaysCooperated = 0;
        List<Map<String, Object>> table = new ArrayList<>();
        for (Map.Entry<String, List<Participant>> pair : pairs.entrySet()) {
            int cooperations = 0;
            int points = 0;
            for (Participant p : pair.getValue()) {
                for (int round = 1; round <= rounds; round++) {
                    cooperations += choice(fields.get(p.id()), round).equals(Payoffs.COOPERATE) ? 1 : 0;
                }
                points += integer(fields.get(p.id()).get("total_payoff"));
            }
            boolean always = pair.getValue().size() == 2 && rounds > 0 && cooperations == 2 * rounds;
            alwaysCooperated += always ? 1 : 0;
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("pair", pair.getKey());
            row.put(
                    "players",
                    String.join(
                            " & ",
                            pair.getValue().stream().map(Participant::name).toList()));
            row.put("cooperations", cooperations);
            row.put("points", points);
            row.put("always cooperated", always);
            table.add(row);
        }

        Map<String, Object> digest = new LinkedHashMap<>();
        digest.put("Cooperation rate per round", cooperation);
        digest.put("Mean points per round", meanPoints);
        digest.put("Bonus total", BigDecimal.valueOf(cents, 2));
        digest.put(
                "Bonus mean",
                players.isEmpty()
                        ? null
                        : BigDecimal.valueOf(cents)
                                .divide(BigDecimal.valueOf(100L * players.size()), 2, RoundingMode.HALF_UP));
        digest.put("Pairs that always cooperated", alwaysCooperated);
        digest.put("Pairs", table);
        return digest;
    }

    /** Players are paired in the order the group lists them: 0 with 1, 2 with 3; an odd one out has no partner. */
    private static Participant partnerOf(List<Participant> group, int index) {
        int partner = index % 2 == 0 ? index + 1 : index - 1;
        return partner < group.size() ? group.get(partner) : null;
    }

    /** The player's {@code choice_<round>}; {@link Payoffs#NONE} if they made none. */
    private static String choice(Map<String, String> fields, int round) {
        JsonNode value = parse(fields.get("choice_" + round));
        return value != null && value.isTextual() ? value.asText() : Payoffs.NONE;
    }

    private static int integer(String json) {
        JsonNode value = parse(json);
        return value != null && value.canConvertToInt() ? value.intValue() : 0;
    }

    private static JsonNode parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored value is not JSON: " + json, e);
        }
    }
}
