package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Session;
import io.cohort.platform.db.Transactions;
import io.cohort.platform.web.RequestFields;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What an admin does to selected participants of a session. Everything is checked first (every id in the session,
 * every parameter valid); then the action runs for all of them in one transaction, so it happens to all or none.
 */
@Singleton
public final class SessionActions {

    static final int MAX_MESSAGE = 2_000;
    static final int MAX_GROUP = 100;

    /** Each action and the parameters it reads. */
    static final Map<String, List<String>> ACTIONS = actions();

    private static Map<String, List<String>> actions() {
        Map<String, List<String>> a = new LinkedHashMap<>();
        a.put("advance", List.of());
        a.put("revert", List.of());
        a.put("end", List.of());
        a.put("reload", List.of());
        a.put("message", List.of("text"));
        a.put("dropout", List.of());
        a.put("redirect", List.of("url"));
        a.put("set-field", List.of("key", "value"));
        a.put("group", List.of("group"));
        a.put("ungroup", List.of());
        a.put("new-player", List.of());
        return a;
    }

    private final Transactions tx;
    private final ParticipantStore participants;
    private final ParticipantMoves moves;
    private final FieldStore data;
    private final LiveFeed live;

    @Inject
    public SessionActions(
            Transactions tx, ParticipantStore participants, ParticipantMoves moves, FieldStore data, LiveFeed live) {
        this.tx = tx;
        this.participants = participants;
        this.moves = moves;
        this.data = data;
        this.live = live;
    }

    /** An action, checked and ready to run. */
    record Checked(String action, Session session, List<String> participants, Map<String, String> parameters) {}

    /**
     * @param all the whole session instead of {@code ids}
     * @throws IllegalArgumentException naming the field or value that is wrong
     */
    Checked check(Session session, String action, List<String> ids, boolean all, RequestFields fields) {
        List<String> wanted = ACTIONS.get(action);
        if (wanted == null) {
            throw new IllegalArgumentException(
                    "action: there is no action '" + action + "'; there are " + ACTIONS.keySet());
        }
        Set<String> members = participants.ofSession(session.id()).stream()
                .map(Participant::id)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        List<String> targets = all ? new ArrayList<>(members) : List.copyOf(new LinkedHashSet<>(ids));
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("participants: none selected");
        }
        for (String id : targets) {
            if (!members.contains(id)) {
                throw new IllegalArgumentException(
                        "participants: '" + id + "' is not a participant of session " + session.id());
            }
        }
        Map<String, String> parameters = new LinkedHashMap<>();
        for (String name : wanted) {
            String value = fields.one(name);
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException(name + ": missing");
            }
            parameters.put(name, name.equals("text") || name.equals("value") ? value : value.strip());
        }
        switch (action) {
            case "message" -> {
                if (parameters.get("text").length() > MAX_MESSAGE) {
                    throw new IllegalArgumentException(
                            "text: " + parameters.get("text").length() + " characters; at most " + MAX_MESSAGE);
                }
            }
            case "redirect" -> checkUrl(parameters.get("url"));
            case "set-field" -> {
                FieldStore.checkNotHostOwned(parameters.get("key"));
                FieldStore.check(parameters.get("key"), parameters.get("value"));
            }
            case "group" -> {
                if (parameters.get("group").length() > MAX_GROUP) {
                    throw new IllegalArgumentException("group: longer than " + MAX_GROUP + " characters");
                }
            }
            default -> {}
        }
        return new Checked(action, session, targets, parameters);
    }

    /** Only absolute http(s) links: a {@code javascript:} or {@code data:} one would run in the participant's page. */
    static void checkUrl(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("url: '" + url + "' is not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase();
        if (!(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null
                || uri.getHost().isEmpty()) {
            throw new IllegalArgumentException("url: '" + url + "' is not an absolute http or https URL");
        }
    }

    /** Runs a checked action as {@code user}, all targets in one transaction. */
    void run(Checked a, String user) {
        String by = "admin:" + user;
        Map<String, String> p = a.parameters();
        tx.run(c -> {
            switch (a.action()) {
                case "group" -> moves.setGroup(a.participants(), p.get("group"), by);
                case "ungroup" -> moves.setGroup(a.participants(), null, by);
                default -> a.participants().forEach(id -> runOne(a, id, by));
            }
            return null;
        });
    }

    private void runOne(Checked a, String id, String by) {
        Map<String, String> p = a.parameters();
        switch (a.action()) {
            case "advance" -> moves.move(id, ParticipantMoves.Move.ADVANCE, by);
            case "revert" -> moves.move(id, ParticipantMoves.Move.REVERT, by);
            case "end" -> moves.move(id, ParticipantMoves.Move.END, by);
            case "reload" -> live.command(id, "reload", Map.of());
            case "message" -> live.command(id, "message", Map.of("text", p.get("text")));
            case "redirect" -> live.command(id, "redirect", Map.of("url", p.get("url")));
            case "dropout" -> participants.setStatus(id, ParticipantStatus.DROPOUT, by);
            case "set-field" -> data.set(id, p.get("key"), p.get("value"), by);
            case "new-player" -> participants.rerunNewPlayer(id, a.session());
            default -> throw new IllegalStateException("unknown action " + a.action());
        }
    }
}
