package io.cohort.platform.payment;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingStatus;
import io.cohort.api.crowd.Submission;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.payment.PaymentKind;
import io.cohort.api.payment.PlanRefused;
import io.cohort.api.payment.PlanRequest;
import io.cohort.api.payment.PlanRow;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.web.AuditLog;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * psiTurk's and nodegame-mturk's batch actions, for any provider: each builds a payment plan for the ledger
 * (approve all submitted, bonus all "auto", approve all workers for all postings, a selection, a pasted file), or
 * acts on postings (close all, delete all the deletable ones).
 */
@Singleton
public final class BatchActions {

    private final CrowdProviders providers;
    private final ParticipantStore participants;
    private final PaymentLedger ledger;
    private final AuditLog audit;

    @Inject
    public BatchActions(CrowdProviders providers, ParticipantStore participants, PaymentLedger ledger, AuditLog audit) {
        this.providers = providers;
        this.participants = participants;
        this.ledger = ledger;
        this.audit = audit;
    }

    /** Limits on a bonus plan; cents. */
    public record Limits(long minCents, long maxCents) {}

    /** Every participant of the provider whose status is SUBMITTED. */
    public PlanRequest approveSubmitted(String provider) {
        List<PlanRow> rows = new ArrayList<>();
        for (Participant p : participants.ofProvider(provider)) {
            if (p.status() == ParticipantStatus.SUBMITTED) {
                rows.add(new PlanRow(rows.size() + 1, p.id(), p.workerId(), p.assignmentId(), "", ""));
            }
        }
        return new PlanRequest(provider, PaymentKind.APPROVE, "Approve all submitted", rows, 0, 0, false);
    }

    /** Each approved participant's bonus column, for those with a bonus not yet in the ledger. */
    public PlanRequest bonusAuto(String provider, String reason, Limits limits) {
        Set<String> bonused = ledger.assignmentsWith(provider, PaymentKind.BONUS);
        List<PlanRow> rows = new ArrayList<>();
        for (Participant p : participants.ofProvider(provider)) {
            if (p.status() == ParticipantStatus.APPROVED && p.bonusCents() > 0 && !bonused.contains(p.assignmentId())) {
                rows.add(new PlanRow(
                        rows.size() + 1,
                        p.id(),
                        p.workerId(),
                        p.assignmentId(),
                        PaymentLedger.dollars(p.bonusCents()),
                        reason));
            }
        }
        return new PlanRequest(
                provider, PaymentKind.BONUS, "Bonus all (auto)", rows, limits.minCents(), limits.maxCents(), false);
    }

    /** nodegame-mturk's: every submission awaiting review, of every posting we posted, ours or not. */
    public PlanRequest approveAllWorkers(String provider) {
        CrowdProvider crowd = providers.get(provider);
        Set<String> approved = ledger.assignmentsWith(provider, PaymentKind.APPROVE);
        List<PlanRow> rows = new ArrayList<>();
        for (Posting posting : crowd.postings()) {
            for (Submission s : crowd.submissions(posting.id())) {
                if (s.status() == SubmissionStatus.SUBMITTED && !approved.contains(s.id())) {
                    rows.add(new PlanRow(rows.size() + 1, null, s.workerId(), s.id(), "", ""));
                }
            }
        }
        return new PlanRequest(provider, PaymentKind.APPROVE, "Approve all workers for all postings", rows, 0, 0, true);
    }

    /** Approve, reject or bonus the chosen participants. */
    public PlanRequest selection(
            String provider,
            PaymentKind kind,
            List<String> participantIds,
            String amount,
            String reason,
            Limits limits) {
        List<PlanRow> rows = new ArrayList<>();
        for (String id : participantIds) {
            rows.add(new PlanRow(rows.size() + 1, id, null, null, kind == PaymentKind.BONUS ? amount : "", reason));
        }
        String label = switch (kind) {
            case APPROVE -> "Approve selected";
            case REJECT -> "Reject selected";
            case OVERRIDE -> "Override the rejection of selected";
            default -> "Bonus selected";
        };
        return new PlanRequest(provider, kind, label, rows, limits.minCents(), limits.maxCents(), false);
    }

    /**
     * Rows pasted or uploaded as CSV: {@code worker_id,assignment_id,amount,reason} (a header line with those names is
     * optional; amount is empty for approvals and rejections). Lines are counted from 1 as an editor shows them.
     */
    public PlanRequest fromCsv(String provider, PaymentKind kind, String csv, Limits limits) {
        List<PlanRow> rows = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        try (CSVParser parser = CSVFormat.DEFAULT
                .builder()
                .setTrim(true)
                .setIgnoreEmptyLines(true)
                .get()
                .parse(new StringReader(csv))) {
            int line = 1;
            int scanned = 0;
            for (CSVRecord r : parser) {
                // The line the record starts on, as an editor counts: newlines up to its first character, counted once.
                for (; scanned < r.getCharacterPosition() && scanned < csv.length(); scanned++) {
                    line += csv.charAt(scanned) == '\n' ? 1 : 0;
                }
                if (r.getRecordNumber() == 1 && r.get(0).equalsIgnoreCase("worker_id")) {
                    continue;
                }
                if (r.size() < 2 || r.size() > 4) {
                    problems.add("line " + line + ": expected worker_id,assignment_id,amount,reason but found "
                            + r.size() + " field(s)");
                    continue;
                }
                rows.add(new PlanRow(
                        line, null, r.get(0), r.get(1), r.size() > 2 ? r.get(2) : "", r.size() > 3 ? r.get(3) : ""));
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            problems.add("the file is not CSV: " + e.getMessage());
        }
        if (!problems.isEmpty()) {
            throw new PlanRefused(problems);
        }
        return new PlanRequest(
                provider,
                kind,
                kind.name().charAt(0) + kind.name().substring(1).toLowerCase() + " from a file",
                rows,
                limits.minCents(),
                limits.maxCents(),
                false);
    }

    /**
     * A posting a posting action would touch, or leave with why. In JSON {@code hit}, the admin API's name since
     * before postings.
     */
    public record PostingChoice(@JsonProperty("hit") Posting posting, boolean chosen, String why) {}

    /** Workers can take a place, or may again once a place is given back. */
    private static boolean open(Posting posting) {
        return posting.status() == PostingStatus.OPEN || posting.status() == PostingStatus.FULL;
    }

    /** The postings "close all" would close: the ones workers can still take, or could once resumed. */
    public List<PostingChoice> closable(String provider) {
        List<PostingChoice> out = new ArrayList<>();
        for (Posting posting : providers.get(provider).postings()) {
            boolean paused = posting.status() == PostingStatus.PAUSED;
            boolean open = open(posting) || paused;
            out.add(new PostingChoice(
                    posting,
                    open,
                    paused ? "paused" : open ? "open to workers" : "already closed (" + posting.status() + ")"));
        }
        return out;
    }

    /** The postings "delete all" would delete: closed, nobody at work, nothing awaiting review. */
    public List<PostingChoice> deletable(String provider) {
        CrowdProvider crowd = providers.get(provider);
        List<PostingChoice> out = new ArrayList<>();
        for (Posting posting : crowd.postings()) {
            String why;
            if (posting.status() == PostingStatus.CLOSED) {
                continue;
            } else if (open(posting)) {
                why = "still open to workers: close it first";
            } else if (posting.status() == PostingStatus.PAUSED) {
                why = "paused: close it first";
            } else if (posting.pending() > 0) {
                why = posting.pending() + " worker(s) still at work";
            } else {
                long waiting = crowd.submissions(posting.id()).stream()
                        .filter(s -> s.status() == SubmissionStatus.SUBMITTED)
                        .count();
                why = waiting > 0 ? waiting + " submission(s) awaiting approval or rejection" : null;
            }
            out.add(new PostingChoice(posting, why == null, why == null ? "deletable" : why));
        }
        return out;
    }

    /** What a posting action did to one posting. In JSON {@code hitId}, the admin API's name since before postings. */
    public record PostingOutcome(@JsonProperty("hitId") String postingId, boolean done, String message) {}

    /** Closes (or deletes) each chosen posting; one failing does not stop the rest, and each is reported. */
    public List<PostingOutcome> actOnPostings(String provider, boolean delete, String by) {
        CrowdProvider crowd = providers.get(provider);
        List<PostingOutcome> out = new ArrayList<>();
        for (PostingChoice choice : delete ? deletable(provider) : closable(provider)) {
            String id = choice.posting().id();
            if (!choice.chosen()) {
                out.add(new PostingOutcome(id, false, "left: " + choice.why()));
                continue;
            }
            try {
                if (delete) {
                    crowd.delete(id);
                } else {
                    crowd.close(id);
                }
                out.add(new PostingOutcome(id, true, delete ? "deleted" : "closed"));
                // The audit's action names are kept: the log reads the same before and after postings.
                audit.record(by, delete ? "hit.delete" : "hit.expire", id, Map.of("provider", provider));
            } catch (CrowdException e) {
                out.add(new PostingOutcome(id, false, e.code() + ": " + e.getMessage()));
            }
        }
        return out;
    }
}
