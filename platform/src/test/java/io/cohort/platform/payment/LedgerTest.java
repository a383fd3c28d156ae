package io.cohort.platform.payment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.api.crowd.Bonus;
import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdMode;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.crowd.Posting;
import io.cohort.api.crowd.PostingSpec;
import io.cohort.api.crowd.Qualification;
import io.cohort.api.crowd.Submission;
import io.cohort.api.crowd.SubmissionStatus;
import io.cohort.api.payment.Payment;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PaymentKind;
import io.cohort.api.payment.PaymentPlan;
import io.cohort.api.payment.PaymentState;
import io.cohort.api.payment.Payments;
import io.cohort.api.payment.PlanRefused;
import io.cohort.api.payment.PlanRequest;
import io.cohort.api.payment.PlanRow;
import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

/**
 * The ledger and its runner in one node, on a real database, paying through a crowd market that records every call
 * (the market is the outside world here, so a double of it is fair): a plan with one bad row is refused whole, a
 * committed batch pays each row once even when answers are lost, a batch a crash left half sent is finished by the
 * next start without paying anyone twice, and the batch actions (approve all submitted, a pasted file) go through
 * the same ledger over the JSON API.
 */
class LedgerTest {

    static final String MARKET = "market";
    static final String TOKEN = "ledger-test-token";

    @TempDir
    Path home;

    String db;
    InProcessNode node;
    RecordingMarket market;

    @BeforeEach
    void start() throws Exception {
        db = TestDatabase.create();
        Path experiment = Files.createDirectories(home.resolve("experiments/paid"));
        Files.writeString(experiment.resolve("experiment.yaml"), """
                name: paid
                title: A paid study
                version: "1.0"
                pages:
                  - {name: thanks, kind: form, template: thanks.peb}
                """);
        Files.writeString(
                experiment.resolve("thanks.peb"),
                "{% extends \"participant.peb\" %}{% block content %}Thanks{% endblock %}");
        market = new RecordingMarket();
        node = startNode();
    }

    /** The second market of a session that recruits from two at once. */
    RecordingMarket other = new RecordingMarket("other");

    InProcessNode startNode() throws Exception {
        return InProcessNode.start(home, Map.of("COHORT_DB_URL", db, "COHORT_API_TOKEN", TOKEN), c -> {
            c.registerService(CrowdProvider.class, market, null);
            c.registerService(CrowdProvider.class, other, null);
        });
    }

    @AfterEach
    void stop() throws Exception {
        if (node != null) {
            node.close();
        }
    }

    <T> T service(Class<T> type) {
        BundleContext c = node.framework().getBundleContext();
        return c.getService(c.getServiceReference(type));
    }

    /** {@code n} approved workers of the market, each with a submitted assignment there. */
    List<Participant> approvedWorkers(int n) {
        String session = service(Sessions.class)
                .create(new NewSession("paid", 0, null, "ledger", List.of(), false, "LedgerTest"))
                .id();
        Participants participants = service(Participants.class);
        List<Participant> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Participant p = participants.add(
                    session,
                    "w" + i,
                    new Participants.CrowdArrival(MARKET, "W" + i, "A" + i, "H1", CrowdMode.SANDBOX),
                    "LedgerTest");
            participants.setStatus(p.id(), ParticipantStatus.APPROVED, "LedgerTest");
            market.assignments.put("A" + i, "W" + i);
            out.add(p);
        }
        return out;
    }

    static PlanRequest bonuses(List<PlanRow> rows) {
        return new PlanRequest(MARKET, PaymentKind.BONUS, "test bonuses", rows, 1, 500, false);
    }

    static PlanRow row(int line, Participant p, String amount) {
        return new PlanRow(line, null, p.workerId(), p.assignmentId(), amount, "thanks");
    }

    PaymentBatch finished(long batchId) throws InterruptedException {
        Payments payments = service(Payments.class);
        long deadline = System.currentTimeMillis() + 30_000;
        PaymentBatch batch = payments.batch(batchId).orElseThrow();
        while (batch.finished() == null && System.currentTimeMillis() < deadline) {
            Thread.sleep(50);
            batch = payments.batch(batchId).orElseThrow();
        }
        assertTrue(batch.finished() != null, "the batch did not finish: " + batch);
        return batch;
    }

    @Test
    void aPlanWithOneBadRowIsRefusedWholeAndNothingIsRecordedOrSent() {
        List<Participant> workers = approvedWorkers(3);
        Payments payments = service(Payments.class);
        PlanRefused refused = assertThrows(
                PlanRefused.class,
                () -> payments.plan(bonuses(List.of(
                        row(1, workers.get(0), "1.00"),
                        row(2, workers.get(1), "9.99"),
                        row(3, workers.get(2), "1.0x")))));
        assertEquals(
                List.of(
                        "line 2 (worker W2): bonus 9.99 is over the maximum 5.00",
                        "line 3 (worker W3): amount '1.0x' is not dollars and cents like 1.25"),
                refused.problems());
        assertEquals(List.of(), payments.batches(), "nothing recorded");
        assertEquals(0, market.calls.get(), "nothing sent");
    }

    @Test
    void aPlanNamingABotIsRefusedAndNothingIsSent() {
        List<Participant> workers = approvedWorkers(1);
        Participant bot = service(Participants.class).addBot(workers.get(0).sessionId(), "bot 1", "LedgerTest");
        assertEquals(CrowdMode.BOT, bot.mode());
        assertEquals(null, bot.provider());
        Payments payments = service(Payments.class);
        PlanRefused refused = assertThrows(
                PlanRefused.class,
                () -> payments.plan(bonuses(List.of(
                        row(1, workers.get(0), "1.00"), new PlanRow(2, bot.id(), null, null, "1.00", "thanks")))));
        assertEquals(
                List.of("line 2: participant '" + bot.id() + "' did not come through " + MARKET), refused.problems());
        assertEquals(List.of(), payments.batches(), "nothing recorded");
        assertEquals(0, market.calls.get(), "nothing sent");
    }

    @Test
    void aCommittedBatchPaysEachRowOnceEvenWhenAnswersAreLost() throws Exception {
        List<Participant> workers = approvedWorkers(5);
        market.loseAnswers.set(3); // the first three bonuses arrive, but their answers never come back
        Payments payments = service(Payments.class);
        List<PlanRow> rows = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            rows.add(row(i + 1, workers.get(i), "0.5" + i));
        }
        PaymentBatch batch = payments.commit(payments.plan(bonuses(rows)), "LedgerTest");

        PaymentBatch done = finished(batch.id());
        assertEquals(5, done.confirmed(), done.toString());
        assertEquals(0, done.failed());
        assertEquals(Map.of("A1", 50L, "A2", 51L, "A3", 52L, "A4", 53L, "A5", 54L), market.paidCents());
        assertEquals(5, market.paid.size(), "each assignment paid once: " + market.paid);
        List<Payment> recorded = payments.payments(batch.id());
        assertEquals(5, recorded.stream().map(Payment::token).distinct().count(), "a token per row");
        assertTrue(recorded.stream().allMatch(p -> p.state() == PaymentState.CONFIRMED), recorded.toString());
        assertEquals(
                3,
                recorded.stream()
                        .filter(p -> "found at the provider".equals(p.response()))
                        .count(),
                "the lost answers were settled by asking the market, not by paying again");
        for (Participant p : workers) {
            assertEquals(
                    ParticipantStatus.BONUSED,
                    service(Participants.class).find(p.id()).orElseThrow().status());
        }
    }

    @Test
    void aBatchACrashLeftHalfSentIsFinishedAtTheNextStartWithoutPayingTwice() throws Exception {
        List<Participant> workers = approvedWorkers(4);
        // The market refuses everything for now, so the batch ends with every row FAILED and nothing paid...
        market.refuseAll = true;
        Payments payments = service(Payments.class);
        List<PlanRow> rows = new ArrayList<>();
        for (int i = 0; i < workers.size(); i++) {
            rows.add(row(i + 1, workers.get(i), "1.00"));
        }
        PaymentBatch batch = payments.commit(payments.plan(bonuses(rows)), "LedgerTest");
        finished(batch.id());
        node.close();
        node = null;
        // ...then the database is put in the state a crash mid-send leaves: every row SENT, the batch open. Of the
        // four calls, the first two had reached the market before the crash.
        try (Connection c = DriverManager.getConnection(db)) {
            c.createStatement()
                    .executeUpdate(
                            "UPDATE cohort.payment SET state = 'SENT', response = NULL WHERE batch_id = " + batch.id());
            c.createStatement()
                    .executeUpdate("UPDATE cohort.payment_batch SET finished_at = NULL WHERE id = " + batch.id());
        }
        market.refuseAll = false;
        market.paid.add(new Paid("W1", "A1", 100, "before the crash"));
        market.paid.add(new Paid("W2", "A2", 100, "before the crash"));
        int callsBefore = market.bonusCalls.get();

        node = startNode();
        PaymentBatch done = finished(batch.id());
        assertEquals(4, done.confirmed(), done.toString());
        assertEquals(Map.of("A1", 100L, "A2", 100L, "A3", 100L, "A4", 100L), market.paidCents());
        assertEquals(4, market.paid.size(), "nobody paid twice: " + market.paid);
        assertEquals(2, market.bonusCalls.get() - callsBefore, "only the two that had not arrived were sent");
    }

    /** Participants of the market who submitted their assignment (not yet approved). */
    List<Participant> submittedWorkers(int n) {
        List<Participant> out = approvedWorkers(n);
        for (Participant p : out) {
            service(Participants.class).setStatus(p.id(), ParticipantStatus.SUBMITTED, "LedgerTest");
        }
        return out;
    }

    @Test
    void aRejectionIsOverriddenThroughTheLedgerOnce() throws Exception {
        Participant p = submittedWorkers(1).get(0);
        AdminHttp.Response reject = api().postForm(
                        "/api/payments/commit",
                        Map.of("provider", MARKET, "action", "reject", "participant", p.id(), "reason", "Too fast"));
        assertEquals(201, reject.status(), reject.toString());
        finished(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(reject.body())
                .path("id")
                .asLong());
        assertEquals(
                ParticipantStatus.REJECTED,
                service(Participants.class).find(p.id()).orElseThrow().status());

        Map<String, String> override =
                Map.of("provider", MARKET, "action", "override", "participant", p.id(), "reason", "Our mistake");
        AdminHttp.Response preview = api().postForm("/api/payments/preview", override);
        assertEquals(200, preview.status(), preview.toString());
        assertTrue(preview.body().contains("\"kind\":\"OVERRIDE\""), preview.body());
        AdminHttp.Response sent = api().postForm("/api/payments/commit", override);
        assertEquals(201, sent.status(), sent.toString());
        finished(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(sent.body())
                .path("id")
                .asLong());
        assertEquals(List.of(p.assignmentId()), market.overridden, "MTurk's OverrideRejection, once");
        assertEquals(
                ParticipantStatus.APPROVED,
                service(Participants.class).find(p.id()).orElseThrow().status());
        AdminHttp.Response again = api().postForm("/api/payments/commit", override);
        assertEquals(422, again.status(), "overridden already: " + again);
        assertTrue(again.body().contains("only REJECTED participants can be overridden"), again.body());
        assertEquals(1, market.overridden.size());
    }

    @Test
    void qualificationsGoThroughTheLedgerOnceAndChangeNoStatus() throws Exception {
        List<Participant> workers = approvedWorkers(2);
        Payments payments = service(Payments.class);
        PlanRefused refused = assertThrows(
                PlanRefused.class,
                () -> payments.plan(qualifications(List.of(
                        new PlanRow(1, null, "W1", "A1", "1", "QT1"), new PlanRow(2, null, "W2", "A2", "high", "")))));
        assertEquals(
                List.of(
                        "line 2 (worker W2): a qualification needs its type id",
                        "line 2 (worker W2): qualification score 'high' is not a whole number like 1"),
                refused.problems().stream().sorted().toList());
        assertEquals(0, market.qualified.size(), "a refused plan sends nothing");

        PaymentPlan plan = payments.plan(qualifications(
                List.of(new PlanRow(1, null, "W1", "A1", "1", "QT1"), new PlanRow(2, null, "W2", "A2", "-3", "QT1"))));
        assertEquals(2, plan.preview().count());
        assertEquals(0, plan.preview().totalCents(), "a score is not money");
        assertEquals(0, plan.preview().feesCents());
        assertEquals(plan.preview().balanceBeforeCents(), plan.preview().balanceAfterCents());
        PaymentBatch batch = payments.commit(plan, "LedgerTest");
        payments.execute(batch.id());
        assertEquals(2, finished(batch.id()).confirmed());
        assertEquals(
                List.of("QT1 W1=1", "QT1 W2=-3"),
                market.qualified.stream().sorted().toList());
        for (Participant p : workers) {
            assertEquals(
                    ParticipantStatus.APPROVED,
                    service(Participants.class).find(p.id()).orElseThrow().status(),
                    "a qualification is not a payment step");
        }

        PlanRefused again = assertThrows(
                PlanRefused.class,
                () -> payments.plan(qualifications(List.of(new PlanRow(1, null, "W1", "A1", "1", "QT1")))));
        assertTrue(again.problems().get(0).contains("assignment A1 already has a qualify"), again.getMessage());
        assertEquals(2, market.qualified.size());
    }

    static PlanRequest qualifications(List<PlanRow> rows) {
        return new PlanRequest(MARKET, PaymentKind.QUALIFY, "test qualifications", rows, 0, 0, false);
    }

    AdminHttp api() {
        return new AdminHttp(java.net.URI.create(node.host().url())).bearer(TOKEN);
    }

    @Test
    void aSessionRecruitingFromTwoMarketsPaysEachMarketOnceForItsOwn() throws Exception {
        List<Participant> first = submittedWorkers(3); // from MARKET: A1..A3
        Participants participants = service(Participants.class);
        List<Participant> second = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            Participant p = participants.add(
                    first.get(0).sessionId(),
                    "o" + i,
                    new Participants.CrowdArrival("other", "O" + i, "S" + i, "STUDY", CrowdMode.TEST),
                    "LedgerTest");
            participants.setStatus(p.id(), ParticipantStatus.SUBMITTED, "LedgerTest");
            other.assignments.put("S" + i, "O" + i);
            second.add(p);
        }
        for (String provider : List.of(MARKET, "other")) {
            AdminHttp.Response committed =
                    api().postForm("/api/payments/commit", Map.of("provider", provider, "action", "approve-submitted"));
            assertEquals(201, committed.status(), committed.body());
            finished(new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(committed.body())
                    .get("id")
                    .asLong());
        }
        assertEquals(
                List.of("A1", "A2", "A3"), market.approved.stream().sorted().toList());
        assertEquals(List.of("S1", "S2"), other.approved.stream().sorted().toList());

        // Bonus all (auto) per market: each participant's bonus goes to their own market, once.
        for (Participant p : first) {
            participants.setBonus(p.id(), 25, "LedgerTest");
        }
        for (Participant p : second) {
            participants.setBonus(p.id(), 40, "LedgerTest");
        }
        for (String provider : List.of(MARKET, "other", MARKET, "other")) {
            AdminHttp.Response committed = api().postForm(
                            "/api/payments/commit",
                            Map.of(
                                    "provider",
                                    provider,
                                    "action",
                                    "bonus-auto",
                                    "reason",
                                    "Thanks",
                                    "min",
                                    "0.01",
                                    "max",
                                    "5"));
            if (committed.status() == 201) {
                finished(new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree(committed.body())
                        .get("id")
                        .asLong());
            } else {
                assertTrue(committed.body().contains("the plan has no rows"), committed.body());
            }
        }
        assertEquals(Map.of("A1", 25L, "A2", 25L, "A3", 25L), market.paidCents());
        assertEquals(Map.of("S1", 40L, "S2", 40L), other.paidCents());
        // A plan of one market naming the other's participant is refused.
        AdminHttp.Response crossed = api().postForm(
                        "/api/payments/commit",
                        Map.of(
                                "provider",
                                MARKET,
                                "action",
                                "approve",
                                "participant",
                                second.get(0).id()));
        assertEquals(422, crossed.status(), crossed.body());
        assertEquals(3, market.approved.size());
    }

    @Test
    void approveAllSubmittedApprovesEachOnceAndASecondRunFindsNothingToDo() throws Exception {
        List<Participant> workers = submittedWorkers(3);
        AdminHttp.Response committed =
                api().postForm("/api/payments/commit", Map.of("provider", MARKET, "action", "approve-submitted"));
        assertEquals(201, committed.status(), committed.body());
        long batch = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(committed.body())
                .get("id")
                .asLong();
        assertEquals(3, finished(batch).confirmed());
        assertEquals(
                List.of("A1", "A2", "A3"), market.approved.stream().sorted().toList());
        for (Participant p : workers) {
            assertEquals(
                    ParticipantStatus.APPROVED,
                    service(Participants.class).find(p.id()).orElseThrow().status());
        }

        AdminHttp.Response again =
                api().postForm("/api/payments/commit", Map.of("provider", MARKET, "action", "approve-submitted"));
        assertEquals(422, again.status(), again.body());
        assertTrue(again.body().contains("the plan has no rows"), again.body());
        assertEquals(3, market.approved.size(), "nobody approved twice");
    }

    @Test
    void aPastedFileWithABadLineIsRefusedNamingTheLineAndNothingIsRecorded() throws Exception {
        approvedWorkers(2);
        AdminHttp.Response refused = api().postForm(
                        "/api/payments/commit",
                        Map.of(
                                "provider", MARKET,
                                "action", "file",
                                "kind", "BONUS",
                                "rows",
                                        "worker_id,assignment_id,amount,reason\nW1,A1,1.00,thanks\nW2,A2,lots,thanks\n"));
        assertEquals(422, refused.status(), refused.body());
        assertTrue(
                refused.body().contains("line 3 (worker W2): amount 'lots' is not dollars and cents"), refused.body());
        assertEquals(List.of(), service(Payments.class).batches(), "nothing recorded");
        assertEquals(0, market.bonusCalls.get(), "nothing sent");
    }

    record Paid(String workerId, String assignmentId, long cents, String token) {}

    /**
     * A crowd market that keeps what it was asked to pay. The ledger never posts, changes or lists postings, nor
     * touches blocks: a call to one of those fails the test that made it.
     */
    static final class RecordingMarket implements CrowdProvider, io.cohort.api.crowd.RejectionOverride {

        static AssertionError unexpected(String call) {
            return new AssertionError("the ledger called " + call + "(), which payments never need");
        }

        final Map<String, String> assignments = new ConcurrentHashMap<>();
        final List<Paid> paid = new CopyOnWriteArrayList<>();
        final List<String> approved = new CopyOnWriteArrayList<>();
        final List<String> rejected = new CopyOnWriteArrayList<>();
        final List<String> overridden = new CopyOnWriteArrayList<>();
        /** "typeId workerId=value" per call. */
        final List<String> qualified = new CopyOnWriteArrayList<>();

        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger bonusCalls = new AtomicInteger();
        final AtomicInteger loseAnswers = new AtomicInteger();
        volatile boolean refuseAll;

        Map<String, Long> paidCents() {
            Map<String, Long> out = new java.util.TreeMap<>();
            paid.forEach(p -> out.merge(p.assignmentId(), p.cents(), Long::sum));
            return out;
        }

        final String name;

        RecordingMarket() {
            this(MARKET);
        }

        RecordingMarket(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CrowdMode mode() {
            return CrowdMode.SANDBOX;
        }

        @Override
        public long balanceCents() {
            calls.incrementAndGet();
            return 100_000;
        }

        @Override
        public String currency() {
            return "USD";
        }

        @Override
        public long feeCents(long amountCents, int places) {
            return Math.max(1, amountCents / 5);
        }

        @Override
        public int placesPerPosting() {
            return 9;
        }

        @Override
        public void bonus(String workerId, String assignmentId, long cents, String reason, String token) {
            calls.incrementAndGet();
            bonusCalls.incrementAndGet();
            if (refuseAll) {
                throw new CrowdException("Refused", "the market refuses for now", false, null);
            }
            paid.add(new Paid(workerId, assignmentId, cents, token));
            if (loseAnswers.getAndDecrement() > 0) {
                throw new IllegalStateException("connection reset: the answer was lost");
            }
        }

        @Override
        public List<Bonus> bonuses(String assignmentId) {
            calls.incrementAndGet();
            return paid.stream()
                    .filter(p -> p.assignmentId().equals(assignmentId))
                    .map(p -> new Bonus(p.workerId(), p.assignmentId(), p.cents(), "", Instant.now()))
                    .toList();
        }

        @Override
        public Optional<Submission> submission(String assignmentId) {
            String worker = assignments.get(assignmentId);
            return worker == null
                    ? Optional.empty()
                    : Optional.of(new Submission(
                            assignmentId,
                            "H1",
                            worker,
                            approved.contains(assignmentId)
                                    ? SubmissionStatus.APPROVED
                                    : rejected.contains(assignmentId)
                                            ? SubmissionStatus.REJECTED
                                            : SubmissionStatus.SUBMITTED,
                            Instant.now(),
                            Instant.now()));
        }

        @Override
        public Posting post(PostingSpec spec) {
            throw unexpected("post");
        }

        @Override
        public List<Posting> postings() {
            return List.of();
        }

        @Override
        public Optional<Posting> posting(String postingId) {
            return Optional.empty();
        }

        @Override
        public Posting addPlaces(String postingId, long extraSeconds, int extraPlaces, String token) {
            throw unexpected("addPlaces");
        }

        @Override
        public Posting close(String postingId) {
            throw unexpected("close");
        }

        @Override
        public void delete(String hitId) {
            throw unexpected("delete");
        }

        @Override
        public List<Submission> submissions(String postingId) {
            return List.of();
        }

        @Override
        public void approve(String assignmentId, String feedback) {
            calls.incrementAndGet();
            approved.add(assignmentId);
        }

        @Override
        public void approveRejected(String assignmentId, String feedback) {
            if (!rejected.remove(assignmentId)) {
                throw new CrowdException(
                        "RequestError", "assignment " + assignmentId + " is not rejected", false, null);
            }
            overridden.add(assignmentId);
            approved.add(assignmentId);
        }

        @Override
        public void reject(String assignmentId, String feedback) {
            calls.incrementAndGet();
            rejected.add(assignmentId);
        }

        @Override
        public Qualification createQualification(String name, String description) {
            throw unexpected("createQualification");
        }

        @Override
        public List<Qualification> qualifications(String query) {
            return List.of();
        }

        @Override
        public void qualify(String typeId, String workerId, int value, boolean notify) {
            calls.incrementAndGet();
            qualified.add(typeId + " " + workerId + "=" + value);
        }

        @Override
        public Map<String, String> notify(List<String> workerIds, String subject, String message) {
            return Map.of();
        }

        @Override
        public void block(String workerId, String reason) {
            throw unexpected("block");
        }
    }
}
