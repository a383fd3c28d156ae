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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
