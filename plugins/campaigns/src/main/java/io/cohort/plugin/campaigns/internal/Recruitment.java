package io.cohort.plugin.campaigns.internal;

import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingSpec;
import io.cohort.api.crowd.PostingStatus;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.schedule.NewTask;
import io.cohort.api.schedule.Schedule;
import io.cohort.api.schedule.Scheduler;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.storage.PluginDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/**
 * What campaigns do, shared by the round task and the admin tab: create, run a round, change the goal, cancel.
 * A service of this bundle only (its package is private), so both hold the same references. Only api services are
 * used; the crowd provider is the one the campaign was created with, found by name.
 * <p>
 * A round writes its HITs (with their idempotency tokens) as PLANNED before posting any, so a round that failed
 * after the provider took a HIT is finished by the next one with the same tokens: the provider answers with the
 * HIT already posted and nothing is posted twice.
 * <p>
 * A HIT here is any market's posting. Where the market limits a posting's places
 * ({@link CrowdProvider#placesPerPosting()} above 0, MTurk's 9), a round posts what is missing in postings of at most
 * the campaign's batch size, as many as it takes. Where it does not (0, Prolific), the campaign keeps one posting: a
 * round adds its places to the one still open ({@link CrowdProvider#addPlaces}, with the row's token, so a repeat
 * adds once), and posts a new one only when none is.
 */
@Component(service = Recruitment.class)
public final class Recruitment {

    static final String TASK_TYPE = "campaign.round";
    /** Statuses that count towards the goal. */
    static final Set<ParticipantStatus> COMPLETED = EnumSet.of(
            ParticipantStatus.COMPLETED,
            ParticipantStatus.SUBMITTED,
            ParticipantStatus.APPROVED,
            ParticipantStatus.REJECTED,
            ParticipantStatus.BONUSED);
    /** Still at work: the slot they hold on the provider may yet complete. */
    static final Set<ParticipantStatus> WORKING = EnumSet.of(ParticipantStatus.ALLOCATED, ParticipantStatus.STARTED);

    /** Postings workers may take again (a full one too: a place given back opens again), or later (a paused one). */
    static final Set<PostingStatus> OPEN =
            EnumSet.of(PostingStatus.DRAFT, PostingStatus.OPEN, PostingStatus.FULL, PostingStatus.PAUSED);
    /** Postings a round without a limit per posting adds its places to. */
    static final Set<PostingStatus> TAKING = EnumSet.of(PostingStatus.OPEN, PostingStatus.FULL);
    /** The {@link PostingSpec#options()} key of the campaign's keywords (MTurk reads it; other markets ignore it). */
    static final String KEYWORDS = "keywords";

    private final PluginDatabase database;
    private final Sessions sessions;
    private final Participants participants;
    private final Experiments experiments;

    @Reference(
            cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<CrowdProvider> providers = List.of();
    /** Until the host runs a scheduler, rounds run only when the tab asks. */
    @Reference(
            cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Scheduler scheduler;

    @Activate
    public Recruitment(
            @Reference PluginDatabase database,
            @Reference Sessions sessions,
            @Reference Participants participants,
            @Reference Experiments experiments) {
        this.database = database;
        this.sessions = sessions;
        this.participants = participants;
        this.experiments = experiments;
    }

    /** A campaign as typed into the form, before it has a session and an id. */
    record Draft(
            String provider,
            String experiment,
            CrowdMode mode,
            int goal,
            long rewardCents,
            long durationSeconds,
            long lifetimeSeconds,
            int perRound,
            int minutesBetweenRounds,
            int batchSize,
            String title,
            String description,
            String keywords,
            String settings,
            String codeVersion) {}

    /** Where a campaign stands now. {@code expired}: postings this count closed because their slots were stale. */
    record Count(int completed, int inFlight, int expired) {}

    // ---- reading

    List<Campaign> campaigns() {
        return database.transaction(CampaignMapper.class, CampaignMapper::campaigns);
    }

    Optional<Campaign> campaign(long id) {
        return Optional.ofNullable(database.transaction(CampaignMapper.class, m -> m.campaign(id)));
    }

    Campaign require(long id) {
        return campaign(id).orElseThrow(() -> new IllegalArgumentException("campaign: there is no campaign " + id));
    }

    List<Round> rounds(long id) {
        return database.transaction(CampaignMapper.class, m -> m.rounds(id));
    }

    List<RoundHit> hits(long id) {
        return database.transaction(CampaignMapper.class, m -> m.hits(id));
    }

    List<Progress> progress(long id) {
        return database.transaction(CampaignMapper.class, m -> m.progress(id));
    }

    List<Progress> latestProgress() {
        return database.transaction(CampaignMapper.class, CampaignMapper::latestProgress);
    }

    List<CrowdProvider> providers() {
        return providers;
    }

    List<Experiment> experiments() {
        return experiments.list();
    }

    /** The host's scheduler, or null while there is none. */
    Scheduler scheduler() {
        return scheduler;
    }

    /** The provider named {@code name}; with no name, {@code mturk} or else the only one running. */
    CrowdProvider provider(String name) {
        List<CrowdProvider> running = providers;
        if (name != null && !name.isBlank()) {
            return running.stream()
                    .filter(p -> p.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("provider: '" + name + "' is not running (running: "
                            + running.stream().map(CrowdProvider::name).toList() + ")"));
        }
        if (running.isEmpty()) {
            throw new IllegalArgumentException("provider: no crowd provider is running; start the MTurk plugin");
        }
        return running.stream()
                .filter(p -> p.name().equals("mturk"))
                .findFirst()
                .orElseGet(() -> running.size() == 1 ? running.get(0) : null);
    }

    // ---- changing

    /**
     * Checks the draft, opens the campaign's session (no participants: workers join it from the HITs), stores the
     * campaign and gives it its task. @throws IllegalArgumentException naming the field; nothing is stored then
     */
    Campaign create(Draft draft, String by) {
        CrowdProvider provider = provider(draft.provider());
        if (provider == null) {
            throw new IllegalArgumentException("provider: choose one of "
                    + providers.stream().map(CrowdProvider::name).toList());
        }
        if (provider.mode() != draft.mode()) {
            throw new IllegalArgumentException("mode: the " + provider.name() + " provider is in " + provider.mode()
                    + " mode, not " + draft.mode() + "; change its configuration first");
        }
        Experiment experiment = experiments
                .find(draft.experiment())
                .orElseThrow(() -> new IllegalArgumentException(
                        "experiment: there is no experiment '" + draft.experiment() + "'"));
        if (draft.codeVersion() != null
                && !draft.codeVersion().isBlank()
                && !draft.codeVersion().strip().equals(experiment.version())) {
            throw new IllegalArgumentException("codeVersion: the installed " + experiment.name() + " is version "
                    + experiment.version() + ", not " + draft.codeVersion().strip());
        }
        // The session's settings are checked by the host against what the experiment declares, naming the key.
        Session session = sessions.create(new NewSession(
                experiment.name(), 0, draft.settings(), "Campaign: " + draft.title(), List.of(), false, by));
        Campaign row = new Campaign(
                0,
                provider.name(),
                experiment.name(),
                experiment.version(),
                session.id(),
                draft.mode(),
                draft.goal(),
                draft.rewardCents(),
                draft.durationSeconds(),
                draft.lifetimeSeconds(),
                draft.perRound(),
                draft.minutesBetweenRounds(),
                draft.batchSize(),
                draft.title(),
                draft.description(),
                draft.keywords(),
                CampaignState.ACTIVE,
                by,
                null,
                null);
        long id = database.transaction(CampaignMapper.class, m -> m.addCampaign(row));
        Campaign campaign = require(id);
        Scheduler tasks = scheduler;
        if (tasks != null) {
            schedule(tasks, campaign, by);
        }
        return campaign;
    }

    /** Its task, every so many minutes, and the first round now. */
    static void schedule(Scheduler tasks, Campaign campaign, String by) {
        tasks.create(
                new NewTask(
                        campaign.task(),
                        TASK_TYPE,
                        new Schedule(null, campaign.minutesBetweenRounds() * 60L),
                        "{\"campaign\": " + campaign.id() + "}"),
                by);
        tasks.runNow(campaign.task(), by);
    }

    /** @throws IllegalArgumentException below the completed count, below 1, or on a cancelled campaign */
    Campaign changeGoal(long id, int goal, String by) {
        Campaign campaign = require(id);
        if (campaign.state() == CampaignState.CANCELLED) {
            throw new IllegalArgumentException("goal: campaign " + id + " is cancelled");
        }
        if (goal < 1) {
            throw new IllegalArgumentException("goal: " + goal + " is below 1");
        }
        int completed = completed(participants.ofSession(campaign.sessionId()));
        if (goal < completed) {
            throw new IllegalArgumentException(
                    "goal: " + goal + " is below the " + completed + " participants already completed");
        }
        database.transaction(CampaignMapper.class, m -> m.setGoal(id, goal));
        Scheduler tasks = scheduler;
        if (campaign.state() == CampaignState.MET
                && goal > completed
                && tasks != null
                && tasks.find(campaign.task()).isEmpty()) {
            schedule(tasks, campaign, by); // met before, recruiting again
        }
        return require(id);
    }

    /** Stops the rounds, then expires the campaign's open HITs. @return what could not be expired, with why */
    List<String> cancel(long id, String by) {
        Campaign campaign = require(id);
        if (campaign.state() != CampaignState.ACTIVE) {
            throw new IllegalArgumentException(
                    "campaign: " + id + " is " + campaign.state().name().toLowerCase(Locale.ROOT) + " already");
        }
        database.transaction(CampaignMapper.class, m -> m.end(id, CampaignState.CANCELLED));
        deleteTask(campaign, by);
        try {
            return expireOpen(campaign, provider(campaign.provider()));
        } catch (IllegalArgumentException e) {
            return List.of("its HITs: " + e.getMessage());
        }
    }

    private void deleteTask(Campaign campaign, String by) {
        Scheduler tasks = scheduler;
        if (tasks != null && tasks.find(campaign.task()).isPresent()) {
            tasks.delete(campaign.task(), by);
        }
    }

    // ---- a round

    /** One round of the campaign; the text says what it did (it goes into the task's history). */
    String round(long id, String by) throws SQLException {
        try (Connection lock = database.dataSource().getConnection()) {
            // One round of a campaign at a time, whichever node or button started it.
            if (!advisoryLock(lock, "SELECT pg_try_advisory_lock(hashtext('plugin_campaigns'), ?)", id)) {
                return "campaign " + id + ": another round is running";
            }
            try {
                return lockedRound(require(id), by);
            } finally {
                advisoryLock(lock, "SELECT pg_advisory_unlock(hashtext('plugin_campaigns'), ?)", id);
            }
        }
    }

    private static boolean advisoryLock(Connection connection, String sql, long id) throws SQLException {
        try (PreparedStatement s = connection.prepareStatement(sql)) {
            s.setInt(1, (int) id);
            try (ResultSet r = s.executeQuery()) {
                return r.next() && r.getBoolean(1);
            }
        }
    }

    private String lockedRound(Campaign c, String by) {
        if (c.state() != CampaignState.ACTIVE) {
            deleteTask(c, by);
            return "campaign " + c.id() + " is " + c.state().name().toLowerCase(Locale.ROOT) + ": nothing to do";
        }
        CrowdProvider provider = provider(c.provider());
        if (provider.mode() != c.mode()) {
            throw new IllegalStateException("the " + provider.name() + " provider is in " + provider.mode()
                    + " mode; campaign " + c.id() + " recruits in " + c.mode() + " mode: nothing posted");
        }
        List<Integer> unfinished = database.transaction(CampaignMapper.class, m -> m.plannedRounds(c.id()));
        for (int number : unfinished) {
            post(c, provider, number);
        }
        Count count = count(c, provider);
        String summary = "campaign " + c.id() + ": " + count.completed() + " of " + c.goal() + " completed, "
                + count.inFlight() + " in flight"
                + (count.expired() > 0 ? ", " + count.expired() + " HIT(s) with stale slots expired" : "")
                + (unfinished.isEmpty() ? "" : ", finished round(s) " + unfinished);
        int posted = 0;
        if (count.completed() >= c.goal()) {
            database.transaction(CampaignMapper.class, m -> m.end(c.id(), CampaignState.MET));
            List<String> left = expireOpen(c, provider);
            deleteTask(c, by);
            summary += ": goal met" + (left.isEmpty() ? "" : "; not expired: " + String.join("; ", left));
        } else {
            int need = Math.min(c.goal() - count.completed() - count.inFlight(), c.perRound());
            if (need > 0) {
                String open = provider.placesPerPosting() == 0 ? openPosting(c, provider) : null;
                int number = plan(c, need, provider.placesPerPosting() == 0, open);
                post(c, provider, number);
                posted = need;
                summary += open != null
                        ? ": round " + number + " added " + need + " place(s) to " + open
                        : ": round " + number + " posted " + need + " assignment(s) in "
                                + (provider.placesPerPosting() == 0 ? 1 : (need + c.batchSize() - 1) / c.batchSize())
                                + " HIT(s)";
            } else {
                summary += ": nothing to post";
            }
        }
        Progress progress = new Progress(
                c.id(), null, count.completed(), count.inFlight() + posted, c.goal(), spentCents(c, provider));
        database.transaction(CampaignMapper.class, m -> m.addProgress(progress));
        return summary;
    }

    /**
     * Writes round {@code need} places, tokens fixed, as one transaction: in HITs of at most the batch size; or, for
     * a market without a limit per posting ({@code unlimited}), as places added to {@code open} (the campaign's
     * posting still taking workers), or one posting of them all when there is none.
     */
    private int plan(Campaign c, int need, boolean unlimited, String open) {
        return database.transaction(CampaignMapper.class, m -> {
            int number = m.lastRound(c.id()) + 1;
            m.addRound(c.id(), number, need);
            if (open != null) {
                m.addRoundHit(c.id(), number, 0, UUID.randomUUID().toString(), need, open, true);
                return number;
            }
            int batch = unlimited ? need : c.batchSize();
            int index = 0;
            for (int left = need; left > 0; left -= batch) {
                m.addRoundHit(
                        c.id(), number, index++, UUID.randomUUID().toString(), Math.min(left, batch), null, false);
            }
            return number;
        });
    }

    /**
     * The campaign's posting a round without a limit per posting grows: the newest it has not closed that still
     * takes workers; null when there is none (then a new one is posted).
     */
    private String openPosting(Campaign c, CrowdProvider provider) {
        List<RoundHit> rows = hits(c.id());
        for (int i = rows.size() - 1; i >= 0; i--) {
            RoundHit h = rows.get(i);
            if (h.hitId() != null
                    && h.expiredAt() == null
                    && provider.posting(h.hitId())
                            .map(p -> TAKING.contains(p.status()))
                            .orElse(false)) {
                return h.hitId();
            }
        }
        return null;
    }

    /**
     * Posts the round's HITs not yet known (a repeated token gives back the HIT posted) and adds its places to the
     * posting they are for (a repeated token adds once), then records the round.
     */
    private void post(Campaign c, CrowdProvider provider, int number) {
        for (RoundHit h : hits(c.id())) {
            if (h.round() != number) {
                continue;
            }
            if (h.adds()) {
                provider.addPlaces(h.hitId(), 0, h.assignments(), h.token());
                continue;
            }
            if (h.hitId() != null) {
                continue;
            }
            Posting posting = provider.post(new PostingSpec(
                    c.sessionId(),
                    c.title(),
                    c.description(),
                    c.rewardCents(),
                    c.durationSeconds(), // a campaign knows only the longest a worker may take
                    c.durationSeconds(),
                    c.lifetimeSeconds(),
                    h.assignments(),
                    List.of(),
                    false,
                    c.keywords() == null || c.keywords().isBlank() ? Map.of() : Map.of(KEYWORDS, c.keywords()),
                    h.token()));
            database.transaction(CampaignMapper.class, m -> m.setHitId(h.token(), posting.id()));
        }
        database.transaction(CampaignMapper.class, m -> m.recordRound(c.id(), number));
    }

    /**
     * Completed: the session's participants who finished. In flight: over the campaign's HITs, free slots plus
     * the ones taken. A HIT whose taken slots outnumber its participants still at work (plus the completed ones
     * not yet submitted) holds stale slots — workers who took it and never came, or quit: it is expired, so
     * those slots can't reopen, and only its working participants count (psiTurk #508: stuck one short). A posting
     * that rounds added places to is counted once.
     */
    Count count(Campaign c, CrowdProvider provider) {
        List<Participant> people = participants.ofSession(c.sessionId());
        int inFlight = 0;
        int expired = 0;
        for (Map.Entry<String, Boolean> entry : postings(c.id()).entrySet()) {
            Optional<Posting> found = provider.posting(entry.getKey());
            if (found.isEmpty()) {
                continue;
            }
            Posting hit = found.get();
            int working = of(people, hit.id(), WORKING);
            int finishing = of(people, hit.id(), EnumSet.of(ParticipantStatus.COMPLETED));
            if (hit.pending() > working + finishing) {
                if (!entry.getValue()) {
                    provider.close(hit.id());
                    database.transaction(CampaignMapper.class, m -> m.setPostingExpired(c.id(), hit.id()));
                    expired++;
                }
                inFlight += working;
            } else {
                inFlight += hit.available() + hit.pending();
            }
        }
        return new Count(completed(people), inFlight, expired);
    }

    /** The campaign's postings, oldest first, each once, with whether the campaign closed it. */
    private Map<String, Boolean> postings(long campaign) {
        Map<String, Boolean> closed = new LinkedHashMap<>();
        for (RoundHit h : hits(campaign)) {
            if (h.hitId() != null) {
                closed.merge(h.hitId(), h.expiredAt() != null, Boolean::logicalOr);
            }
        }
        return closed;
    }

    private static int of(List<Participant> people, String hitId, Set<ParticipantStatus> statuses) {
        return (int) people.stream()
                .filter(p -> hitId.equals(p.hitId()) && statuses.contains(p.status()))
                .count();
    }

    static int completed(List<Participant> people) {
        return (int) people.stream().filter(p -> COMPLETED.contains(p.status())).count();
    }

    /**
     * Rewards of every place posted plus the provider's fee on each, the fee by the size of the posting the places
     * are in (places added to a posting make it bigger).
     */
    long spentCents(Campaign c, CrowdProvider provider) {
        Map<String, Integer> places = new LinkedHashMap<>();
        for (RoundHit h : hits(c.id())) {
            if (h.hitId() != null) {
                places.merge(h.hitId(), h.assignments(), Integer::sum);
            }
        }
        long cents = 0;
        for (int n : places.values()) {
            cents += n * (c.rewardCents() + provider.feeCents(c.rewardCents(), n));
        }
        return cents;
    }

    /** Closes the campaign's postings that still take workers or may again. @return the ones the provider refused, with why */
    private List<String> expireOpen(Campaign c, CrowdProvider provider) {
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, Boolean> entry : postings(c.id()).entrySet()) {
            String id = entry.getKey();
            if (entry.getValue()) {
                continue;
            }
            try {
                // Full ones too: a place whose worker gives up would open again.
                if (provider.posting(id).map(p -> OPEN.contains(p.status())).orElse(false)) {
                    provider.close(id);
                }
                database.transaction(CampaignMapper.class, m -> m.setPostingExpired(c.id(), id));
            } catch (CrowdException e) {
                refused.add(id + ": " + e.getMessage());
            }
        }
        return refused;
    }
}
