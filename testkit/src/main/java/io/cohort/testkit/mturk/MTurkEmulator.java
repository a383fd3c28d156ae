package io.cohort.testkit.mturk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A loopback MTurk Requester API (2017-01-17) for tests and rehearsals: JSON 1.1 over {@code POST /} as the AWS SDK v2
 * {@code MTurkClient} speaks it (point it here with {@code endpointOverride(emulator.endpoint())}). State is in memory.
 * Besides the operations it offers a configurable rate limit and fault injection.
 */
public final class MTurkEmulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TARGET_PREFIX = "MTurkRequesterServiceV20170117.";
    private static final String CONTENT_TYPE = "application/x-amz-json-1.1";

    /** What the next requests should suffer instead of (or after) being served. */
    public enum Fault {
        /** Answer ThrottlingException (HTTP 400) without doing anything. */
        THROTTLE,
        /** Answer ServiceFault (HTTP 500) without doing anything. */
        SERVICE_FAULT,
        /** Do the operation, then answer ServiceFault (HTTP 500): the caller can't know it happened. */
        COMMIT_THEN_FAIL
    }

    private final MTurkClock clock = new MTurkClock();
    private final MTurkAccount account = new MTurkAccount(clock, 1_000_000);
    private final Map<String, Function<ObjectNode, ObjectNode>> operations = Map.ofEntries(
            Map.entry("GetAccountBalance", account::getAccountBalance),
            Map.entry("ListHITsForQualificationType", account::listHITsForQualificationType),
            Map.entry("UpdateHITTypeOfHIT", account::updateHITTypeOfHIT),
            Map.entry("ListReviewPolicyResultsForHIT", account::listReviewPolicyResultsForHIT),
            Map.entry("SendTestEventNotification", account::sendTestEventNotification),
            Map.entry("UpdateNotificationSettings", account::updateNotificationSettings),
            Map.entry("GetFileUploadURL", account::getFileUploadURL),
            Map.entry("ListQualificationRequests", account::listQualificationRequests),
            Map.entry("AcceptQualificationRequest", account::acceptQualificationRequest),
            Map.entry("RejectQualificationRequest", account::rejectQualificationRequest),
            Map.entry("CreateHITType", account::createHITType),
            Map.entry("CreateHIT", account::createHIT),
            Map.entry("CreateHITWithHITType", account::createHITWithHITType),
            Map.entry("GetHIT", account::getHIT),
            Map.entry("ListHITs", account::listHITs),
            Map.entry("UpdateExpirationForHIT", account::updateExpirationForHIT),
            Map.entry("DeleteHIT", account::deleteHIT),
            Map.entry("CreateAdditionalAssignmentsForHIT", account::createAdditionalAssignmentsForHIT),
            Map.entry("ListAssignmentsForHIT", account::listAssignmentsForHIT),
            Map.entry("GetAssignment", account::getAssignment),
            Map.entry("ApproveAssignment", account::approveAssignment),
            Map.entry("RejectAssignment", account::rejectAssignment),
            Map.entry("SendBonus", account::sendBonus),
            Map.entry("ListBonusPayments", account::listBonusPayments),
            Map.entry("UpdateHITReviewStatus", account::updateHITReviewStatus),
            Map.entry("ListReviewableHITs", account::listReviewableHITs),
            Map.entry("CreateQualificationType", account::createQualificationType),
            Map.entry("GetQualificationType", account::getQualificationType),
            Map.entry("ListQualificationTypes", account::listQualificationTypes),
            Map.entry("UpdateQualificationType", account::updateQualificationType),
            Map.entry("DeleteQualificationType", account::deleteQualificationType),
            Map.entry("AssociateQualificationWithWorker", account::associateQualificationWithWorker),
            Map.entry("DisassociateQualificationFromWorker", account::disassociateQualificationFromWorker),
            Map.entry("ListWorkersWithQualificationType", account::listWorkersWithQualificationType),
            Map.entry("GetQualificationScore", account::getQualificationScore),
            Map.entry("NotifyWorkers", account::notifyWorkers),
            Map.entry("CreateWorkerBlock", account::createWorkerBlock),
            Map.entry("DeleteWorkerBlock", account::deleteWorkerBlock),
            Map.entry("ListWorkerBlocks", account::listWorkerBlocks));
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> faultOnlyFor = new ConcurrentLinkedQueue<>();
    private final Map<String, RepeatingFault> repeatingFaults = new ConcurrentHashMap<>();
    private volatile Duration latency = Duration.ZERO;
    private final AtomicLong requests = new AtomicLong();
    private final TokenBucket bucket = new TokenBucket();
    private volatile String accessKeyId;
    private volatile String secretKey;
    private final HttpServer server;
    private final ExecutorService threads;

    static {
        // Without it Nagle and delayed ACKs cost ~40 ms a request; read once by the JDK's server, so set before first
        // use.
        System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
    }

    private MTurkEmulator(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        threads = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "mturk-emulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        server.createContext("/", this::handle);
        WorkerSite site = new WorkerSite(account, () -> endpoint().toString());
        server.createContext("/worker", site::handle);
        server.createContext("/mturk/externalSubmit", site::handle);
        server.start();
    }

    /** Starts an emulator on a free loopback port. */
    public static MTurkEmulator start() throws IOException {
        return start(0);
    }

    public static MTurkEmulator start(int port) throws IOException {
        return new MTurkEmulator(port);
    }

    /** The worker site: sign in with a WorkerId, preview, accept and return HITs ({@code /worker/}). */
    public URI workerSite() {
        return endpoint().resolve("/worker/");
    }

    /** The URI to give the SDK's {@code endpointOverride}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Sets the available balance, e.g. "10000.00" (the starting value, as the real sandbox). */
    public MTurkEmulator balance(String amount) {
        account.setBalance(RequestFields.parseMoney(amount, "balance"));
        return this;
    }

    public String availableBalance() {
        return RequestFields.money(account.availableCents());
    }

    public long availableBalanceCents() {
        return account.availableCents();
    }

    /** From now on only requests signed (SigV4) with this key are served; until then any SigV4 header is accepted. */
    public MTurkEmulator credentials(String accessKeyId, String secretKey) {
        this.accessKeyId = accessKeyId;
        this.secretKey = secretKey;
        return this;
    }

    /** At most {@code perSecond} requests a second on average, with bursts of {@code burst}; 0 turns the limit off. */
    public MTurkEmulator rateLimit(double perSecond, int burst) {
        bucket.configure(perSecond, burst);
        return this;
    }

    /** The next {@code times} requests (of any operation) suffer {@code fault}. */
    public MTurkEmulator inject(Fault fault, int times) {
        for (int i = 0; i < times; i++) faults.add(fault);
        return this;
    }

    /** The next request of {@code operation} suffers {@code fault}; other operations are served. */
    public MTurkEmulator inject(Fault fault, String operation) {
        requireOperation(operation);
        faultOnlyFor.add(operation + " " + fault.name());
        return this;
    }

    private void requireOperation(String operation) {
        if (!operations.containsKey(operation)) {
            throw new IllegalArgumentException(
                    "no operation '" + operation + "'; the emulator serves " + operations.keySet());
        }
    }

    /**
     * From now on every {@code everyNth} request of {@code operation} (the Nth, 2Nth, …) suffers {@code fault}; other
     * requests are served. Replaces an earlier repeating fault of the operation; {@code everyNth} 0 removes it.
     */
    public MTurkEmulator inject(Fault fault, String operation, int everyNth) {
        requireOperation(operation);
        if (everyNth < 0) throw new IllegalArgumentException("everyNth must be 0 (off) or more, not " + everyNth);
        if (everyNth == 0) repeatingFaults.remove(operation);
        else repeatingFaults.put(operation, new RepeatingFault(fault, everyNth));
        return this;
    }

    /** Every API request waits this long before it is served: a slow service. {@link Duration#ZERO} turns it off. */
    public MTurkEmulator latency(Duration latency) {
        if (latency.isNegative()) throw new IllegalArgumentException("latency must not be negative: " + latency);
        this.latency = latency;
        return this;
    }

    /** Moves the emulator's clock forward (HIT expiry, auto-approval). */
    public void advanceClock(Duration by) {
        clock.advance(by);
    }

    /** Requests received so far, served or not. */
    public long requestCount() {
        return requests.get();
    }

    /** How many bonuses the worker has received. */
    public int bonusCount(String workerId) {
        return account.bonusCount(workerId);
    }

    /** How many bonuses each assignment was paid (assignments never bonused are absent). */
    public Map<String, Integer> bonusesPerAssignment() {
        return account.bonusesPerAssignment();
    }

    /** All bonuses paid so far. */
    public int bonusCount() {
        return bonusesPerAssignment().values().stream()
                .mapToInt(Integer::intValue)
                .sum();
    }

    /** All bonuses paid so far, in cents (fees not included). */
    public long bonusTotalCents() {
        return account.bonusTotalCents();
    }

    /** The assignment's status, including the ones the requester API never shows (Accepted, Returned, Abandoned); null if unknown. */
    public String assignmentStatus(String assignmentId) {
        return account.assignmentStatus(assignmentId);
    }

    /** Messages that reached workers (NotifyWorkers, and qualification grants with SendNotification), oldest first. */
    public List<Notification> notifications() {
        return account.notifications();
    }

    /** A message that reached a worker. */
    public record Notification(String workerId, String subject, String message) {}

    /** A worker's system qualifications, to set before they accept (every worker starts at 100 %, 1000 approved HITs, US). */
    public Worker worker(String workerId) {
        account.changeProfile(workerId, p -> {}); // checks the ID
        return new Worker(workerId);
    }

    /** Settings of one worker; each call changes the worker at once. */
    public final class Worker {
        private final String workerId;

        private Worker(String workerId) {
            this.workerId = workerId;
        }

        /** Worker_Locale (00000000000000000071): an ISO 3166 country code such as "DE", optionally with a subdivision. */
        public Worker locale(String country, String subdivision) {
            if (country == null || !country.matches("^[A-Z]{2}$"))
                throw new IllegalArgumentException("country must be two capitals, not " + country);
            account.changeProfile(workerId, p -> {
                p.country = country;
                p.subdivision = subdivision;
            });
            return this;
        }

        public Worker locale(String country) {
            return locale(country, null);
        }

        /** Worker_PercentAssignmentsApproved (000000000000000000L0), 0 to 100. */
        public Worker percentAssignmentsApproved(int percent) {
            if (percent < 0 || percent > 100)
                throw new IllegalArgumentException("percent must be 0 to 100, not " + percent);
            account.changeProfile(workerId, p -> p.percentApproved = percent);
            return this;
        }

        /** Worker_NumberHITsApproved (00000000000000000040). */
        public Worker numberHITsApproved(int approved) {
            if (approved < 0) throw new IllegalArgumentException("approved must not be negative: " + approved);
            account.changeProfile(workerId, p -> p.numberApproved = approved);
            return this;
        }
    }

    /**
     * The worker side, in code: the worker requests a qualification of an active type, with an answer (or null) to
     * its test; returns the QualificationRequestId the requester lists, accepts or rejects.
     */
    public String requestQualification(String workerId, String qualificationTypeId, String answer) {
        return account.requestQualification(workerId, qualificationTypeId, answer);
    }

    /** The worker side, in code: a worker takes a free slot of the HIT and submits {@code answer}; returns the assignment ID. */
    public String acceptAndSubmit(String hitId, String workerId, String answer) {
        String assignmentId = account.accept(hitId, workerId);
        account.submit(assignmentId, answer);
        return assignmentId;
    }

    /** The worker side, in code: a worker takes a free slot of the HIT (Accepted, counted as pending); returns the assignment ID. */
    public String accept(String hitId, String workerId) {
        return account.accept(hitId, workerId);
    }

    /** The worker side, in code: the worker submits an accepted assignment before its deadline. */
    public void submit(String assignmentId, String answer) {
        account.submit(assignmentId, answer);
    }

    /** The worker side, in code: the worker returns an accepted assignment (Returned); its slot is free again. */
    public void giveBack(String assignmentId, String workerId) {
        account.giveBack(assignmentId, workerId);
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    /** Told of every request served and its answer (a test checks the answers against the service model). */
    @FunctionalInterface
    public interface Listener {
        void answered(String operation, ObjectNode request, ObjectNode answer);
    }

    private final java.util.List<Listener> answered = new java.util.concurrent.CopyOnWriteArrayList<>();

    public MTurkEmulator onAnswer(Listener listener) {
        answered.add(listener);
        return this;
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange;
                InputStream body = exchange.getRequestBody()) {
            byte[] bytes = body.readAllBytes();
            ObjectNode out;
            int status = 200;
            try {
                out = serve(exchange, bytes);
            } catch (RuntimeException bug) {
                // An emulator bug answers like the service's own failures, so a test sees it instead of a dropped
                // connection.
                MTurkError e =
                        bug instanceof MTurkError known ? known : MTurkError.serviceFault("Emulator failure: " + bug);
                status = e.status;
                out = JSON.createObjectNode().put("__type", e.type);
                // The real service spells it "message" for throttling and validation, "Message" elsewhere.
                boolean lower = e.type.equals("ThrottlingException")
                        || e.type.equals("ValidationException")
                        || e.type.equals("SerializationException");
                out.put(lower ? "message" : "Message", e.getMessage());
                if (e.turkErrorCode != null) out.put("TurkErrorCode", e.turkErrorCode);
            }
            byte[] answer = JSON.writeValueAsBytes(out);
            exchange.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
            exchange.getResponseHeaders()
                    .set("x-amzn-RequestId", UUID.randomUUID().toString());
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    private ObjectNode serve(HttpExchange exchange, byte[] bytes) {
        Duration wait = latency;
        if (!wait.isZero()) {
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw MTurkError.serviceFault("The emulator is stopping.");
            }
        }
        RequestSignature.verify(
                exchange.getRequestMethod(),
                exchange.getRequestURI().getRawPath(),
                exchange.getRequestHeaders(),
                bytes,
                accessKeyId,
                secretKey);
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (!exchange.getRequestMethod().equals("POST") || target == null || !target.startsWith(TARGET_PREFIX)) {
            throw MTurkError.unknownOperation(String.valueOf(target));
        }
        String name = target.substring(TARGET_PREFIX.length());
        Function<ObjectNode, ObjectNode> operation = operations.get(name);
        if (operation == null) throw MTurkError.unknownOperation(target);
        if (!bucket.take()) throw MTurkError.throttled();
        Fault fault = nextFault(name);
        if (fault == Fault.THROTTLE) throw MTurkError.throttled();
        if (fault == Fault.SERVICE_FAULT) throw MTurkError.serviceFault("Service is temporarily unavailable.");
        JsonNode in;
        try {
            in = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
        } catch (IOException e) {
            throw MTurkError.request("AWS.BadRequest", "The request body is not JSON: " + e.getMessage());
        }
        if (!(in instanceof ObjectNode object))
            throw MTurkError.request("AWS.BadRequest", "The request body is not a JSON object.");
        ServiceModel.get().checkRequest(name, object);
        ObjectNode out = operation.apply(object);
        answered.forEach(listener -> listener.answered(name, object, out));
        if (fault == Fault.COMMIT_THEN_FAIL) throw MTurkError.serviceFault("Service is temporarily unavailable.");
        return out;
    }

    private Fault nextFault(String operation) {
        RepeatingFault repeating = repeatingFaults.get(operation);
        if (repeating != null && repeating.count.incrementAndGet() % repeating.everyNth == 0) return repeating.fault;
        for (String f : faultOnlyFor) {
            if (f.startsWith(operation + " ") && faultOnlyFor.remove(f)) {
                return Fault.valueOf(f.substring(operation.length() + 1));
            }
        }
        return faults.poll();
    }

    private record RepeatingFault(Fault fault, int everyNth, AtomicLong count) {
        RepeatingFault(Fault fault, int everyNth) {
            this(fault, everyNth, new AtomicLong());
        }
    }

    /** A token bucket; unlimited until configured. */
    private static final class TokenBucket {
        private double perSecond;
        private double burst;
        private double tokens;
        private long lastNanos = System.nanoTime();

        synchronized void configure(double perSecond, int burst) {
            this.perSecond = perSecond;
            this.burst = burst;
            this.tokens = burst;
            this.lastNanos = System.nanoTime();
        }

        synchronized boolean take() {
            if (perSecond <= 0) return true;
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * perSecond);
            lastNanos = now;
            if (tokens < 1) return false;
            tokens -= 1;
            return true;
        }
    }
}
