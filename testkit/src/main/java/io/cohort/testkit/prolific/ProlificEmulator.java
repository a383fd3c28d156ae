package io.cohort.testkit.prolific;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback Prolific (API v1) for tests and rehearsals: the endpoints of {@code docs/prolific-api.md} under
 * {@code /api/v1/} with Prolific's statuses, validations, error bodies and money rules, and the participant's side (take,
 * return, {@code /submissions/complete?cc=}) as HTML on the same port. State is in memory. One token is accepted
 * ({@code Authorization: Token <token>}). Besides the API it offers a rate limit, fault injection and latency, like
 * {@code MTurkEmulator}.
 *
 * <p>Money (the doc, section 2): the workspace balance splits into rewards, fees and VAT. Publishing a study reserves
 * {@code places × (reward + fee + VAT)}, as Prolific checks and locks the funds at publish; approving a submission
 * charges one place from the total (the reservation shrinks by as much, so the available balance moved at publish
 * already); an ended study releases the rest. Paying a bonus set-up takes its total from the available funds at once,
 * every time it is called: Prolific documents the pay call as not idempotent.
 */
public final class ProlificEmulator implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID = "([A-Za-z0-9_-]+)";

    /** What the next requests should suffer instead of (or after) being served. */
    public enum Fault {
        /** Answer 429 (with {@code Retry-After: 1}) without doing anything. */
        THROTTLE,
        /** Answer 500 without doing anything. */
        SERVICE_FAULT,
        /** Do the operation, then answer 500: the caller can't know it happened. */
        COMMIT_THEN_FAIL
    }

    /** A submission as a test sees it; {@code bonusPayments} in cents, one entry per bonus line paid. */
    public record SubmissionView(
            String id,
            String studyId,
            String participantId,
            String status,
            String enteredCode,
            List<Long> bonusPayments) {}

    /** A study a participant can take now. */
    public record StudyListing(String id, String name, long rewardCents, int estimatedMinutes, int placesLeft) {}

    /** A study as the researcher sees it: its status and how many places it offers. */
    public record StudyView(String id, String name, String status, int totalAvailablePlaces) {}

    /** A message that reached a participant. */
    public record Message(String recipientId, String studyId, String body) {}

    private final ProlificClock clock = new ProlificClock();
    private final ProlificWorkspace workspace;
    private final List<Route> routes = new ArrayList<>();
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> faultOnlyFor = new ConcurrentLinkedQueue<>();
    private final Map<String, RepeatingFault> repeatingFaults = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final TokenBucket bucket = new TokenBucket();
    private volatile Duration latency = Duration.ZERO;
    private volatile String token = newToken();
    private final HttpServer server;
    private final ExecutorService threads;

    static {
        // Without it Nagle and delayed ACKs cost ~40 ms a request; read once by the JDK's server, so set before first
        // use.
        System.setProperty("sun.net.httpserver.nodelay", System.getProperty("sun.net.httpserver.nodelay", "true"));
    }

    private ProlificEmulator(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64);
        workspace = new ProlificWorkspace(clock, () -> baseUrl().toString(), 1_000_000);
        defineRoutes();
        threads = Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "prolific-emulator");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(threads);
        ParticipantSite site = new ParticipantSite(workspace, requests);
        server.createContext("/", this::handle);
        server.createContext("/participant", site::handle);
        server.createContext("/submissions/complete", site::handle);
        server.start();
    }

    /** Starts an emulator on a free loopback port. */
    public static ProlificEmulator start() throws IOException {
        return start(0);
    }

    public static ProlificEmulator start(int port) throws IOException {
        return new ProlificEmulator(port);
    }

    /** Where Prolific's {@code https://api.prolific.com} would be: the API is under {@code /api/v1/}. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The participants' side: the studies a participant id can take ({@code /participant/}). */
    public URI participantSite() {
        return baseUrl().resolve("/participant/");
    }

    /** This emulator's {@code https://app.prolific.com/submissions/complete?cc=CODE}. */
    public URI completionUrl(String code) {
        return baseUrl().resolve("/submissions/complete?cc=" + URLEncoder.encode(code, StandardCharsets.UTF_8));
    }

    /** The one token served ({@code Authorization: Token <token>}); random unless set. */
    public String token() {
        return token;
    }

    public ProlificEmulator token(String token) {
        if (token == null || token.isBlank() || !token.equals(token.strip()) || token.contains(" "))
            throw new IllegalArgumentException("a token is a non-blank word, not '" + token + "'");
        this.token = token;
        return this;
    }

    public String workspaceId() {
        return workspace.workspaceId();
    }

    /** The workspace's default project, where studies created without {@code project} go. */
    public String projectId() {
        return workspace.defaultProjectId();
    }

    /** Sets the workspace's total balance, e.g. "10000.00" (nothing reserved yet is assumed), split as a top-up. */
    public ProlificEmulator balance(String amount) {
        workspace.setBalance(parseAmount(amount));
        return this;
    }

    public long totalBalanceCents() {
        return workspace.totalCents();
    }

    public long availableBalanceCents() {
        return workspace.availableCents();
    }

    /** Prolific's service fee, percent of each reward and bonus (default 33.33). Set before money moves. */
    public ProlificEmulator feePercent(BigDecimal percent) {
        workspace.setFeePercent(percent);
        return this;
    }

    /** VAT, percent of the fee (default 0). Set before money moves. */
    public ProlificEmulator vatPercent(BigDecimal percent) {
        workspace.setVatPercent(percent);
        return this;
    }

    /** The workspace currency, GBP (default) or USD. */
    public ProlificEmulator currency(String code) {
        workspace.setCurrency(code);
        return this;
    }

    /** Prolific's charge on a participant amount in cents: {@code {amount, fee, vat}}. */
    public long[] costOf(long amountCents) {
        ProlificWorkspace.Cost c = workspace.cost(amountCents);
        return new long[] {c.amount(), c.fee(), c.vat()};
    }

    /** At most {@code perSecond} API requests a second on average, with bursts of {@code burst}; 0 turns it off. */
    public ProlificEmulator rateLimit(double perSecond, int burst) {
        bucket.configure(perSecond, burst);
        return this;
    }

    /** The next {@code times} API requests (of any operation) suffer {@code fault}. */
    public ProlificEmulator inject(Fault fault, int times) {
        for (int i = 0; i < times; i++) faults.add(fault);
        return this;
    }

    /** The next request of {@code operation} (Prolific's operation id, e.g. "pay-bonus-payments") suffers it. */
    public ProlificEmulator inject(Fault fault, String operation) {
        requireOperation(operation);
        faultOnlyFor.add(operation + " " + fault.name());
        return this;
    }

    /**
     * From now on every {@code everyNth} request of {@code operation} (the Nth, 2Nth, …) suffers {@code fault}; other
     * requests are served. Replaces an earlier repeating fault of the operation; {@code everyNth} 0 removes it.
     */
    public ProlificEmulator inject(Fault fault, String operation, int everyNth) {
        requireOperation(operation);
        if (everyNth < 0) throw new IllegalArgumentException("everyNth must be 0 (off) or more, not " + everyNth);
        if (everyNth == 0) repeatingFaults.remove(operation);
        else repeatingFaults.put(operation, new RepeatingFault(fault, everyNth));
        return this;
    }

    /** The operation ids {@link #inject} knows. */
    public Set<String> operations() {
        Set<String> out = new java.util.TreeSet<>();
        routes.forEach(r -> out.add(r.operation));
        return out;
    }

    private void requireOperation(String operation) {
        if (!operations().contains(operation)) {
            throw new IllegalArgumentException("no operation '" + operation + "'; the emulator serves " + operations());
        }
    }

    /** Every API request waits this long before it is served: a slow service. {@link Duration#ZERO} turns it off. */
    public ProlificEmulator latency(Duration latency) {
        if (latency.isNegative()) throw new IllegalArgumentException("latency must not be negative: " + latency);
        this.latency = latency;
        return this;
    }

    /** Moves the emulator's clock forward (submission time-outs, scheduled publishing). */
    public void advanceClock(Duration by) {
        clock.advance(by);
    }

    /** Requests received so far (API and participant pages), served or not. */
    public long requestCount() {
        return requests.get();
    }

    /** The study's submissions, oldest first. */
    public List<SubmissionView> submissions(String studyId) {
        return workspace.submissionViews(studyId);
    }

    /** The submission's status, or null if there is none with that id. */
    public String submissionStatus(String submissionId) {
        return workspace.submissionStatus(submissionId);
    }

    /** Every study of the workspace, oldest first. */
    public List<StudyView> studies() {
        return workspace.studyViews();
    }

    /** The study's status, or null if there is none with that id. */
    public String studyStatus(String studyId) {
        return workspace.studyStatus(studyId);
    }

    /** The bonuses paid to the participant, in cents, one entry per line paid (twice if a set-up was paid twice). */
    public List<Long> bonusesPaid(String participantId) {
        return workspace.bonusesPaid(participantId);
    }

    /** All bonuses paid so far, in cents (fees not included). */
    public long bonusTotalCents() {
        return workspace.bonusTotalCents();
    }

    /** How many times the bonus set-up was paid. */
    public int payCalls(String setUpId) {
        return workspace.payCalls(setUpId);
    }

    /** How many pay calls went through, over all set-ups. */
    public int payCalls() {
        return workspace.payCalls();
    }

    /** Messages sent to participants, oldest first. */
    public List<Message> messages() {
        return workspace.messageViews();
    }

    /** The participant ids in the group. */
    public Set<String> groupMembers(String groupId) {
        return workspace.groupMembers(groupId);
    }

    /**
     * The participant side, in code: {@code participantId} starts the study; returns the study URL as Prolific opens
     * it, with {@code {{%PROLIFIC_PID%}}}, {@code {{%STUDY_ID%}}} and {@code {{%SESSION_ID%}}} (the new submission's id)
     * filled in. Refused (IllegalStateException) as the participant site refuses it.
     */
    public String takeStudy(String participantId, String studyId) {
        return participantSide(() -> workspace.take(participantId, studyId));
    }

    /** The participant side, in code: the participant returns their active submission of the study. */
    public void returnStudy(String participantId, String studyId) {
        participantSide(() -> {
            workspace.giveBack(participantId, studyId);
            return null;
        });
    }

    /**
     * The participant side, in code: the participant arrives at the completion URL with {@code code} for their active
     * submission of the study; returns the submission as it is afterwards.
     */
    public SubmissionView complete(String participantId, String studyId, String code) {
        return participantSide(() -> workspace.complete(participantId, studyId, code));
    }

    private static <T> T participantSide(java.util.function.Supplier<T> action) {
        try {
            return action.get();
        } catch (ProlificError e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }

    // ---- the API ----

    /** One API call: the path's ids, the query and the JSON body (an empty object when there is none). */
    record Call(List<String> ids, Map<String, String> query, String path, JsonNode body) {
        String id() {
            return ids.get(0);
        }
    }

    private record Route(String method, Pattern path, String operation, int status, Function<Call, ObjectNode> op) {}

    private void route(String method, String path, String operation, int status, Function<Call, ObjectNode> op) {
        routes.add(
                new Route(method, Pattern.compile("^/api/v1" + path.replace("{id}", ID) + "$"), operation, status, op));
    }

    private void defineRoutes() {
        ProlificWorkspace w = workspace;
        route("GET", "/users/me/", "get-user", 200, c -> w.me());
        route("GET", "/workspaces/", "get-workspaces", 200, c -> w.workspaces());
        route("GET", "/workspaces/{id}/", "get-workspace", 200, c -> w.workspace(c.id()));
        route("GET", "/workspaces/{id}/balance/", "get-workspace-balance", 200, c -> w.balance(c.id()));
        route("GET", "/workspaces/{id}/projects/", "get-projects", 200, c -> w.projects(c.id()));
        route("POST", "/workspaces/{id}/projects/", "create-project", 201, c -> w.createProject(c.id(), c.body()));
        route(
                "GET",
                "/projects/{id}/studies/",
                "get-project-studies",
                200,
                c -> w.projectStudies(c.id(), c.query(), c.path()));
        route("POST", "/studies/", "create-study", 201, c -> w.createStudy(c.body()));
        route("GET", "/studies/", "get-studies", 200, c -> w.studies(c.query(), c.path()));
        route("GET", "/studies/{id}/", "get-study", 200, c -> w.study(c.id()));
        route("PATCH", "/studies/{id}/", "update-study", 200, c -> w.updateStudy(c.id(), c.body()));
        route("POST", "/studies/{id}/transition/", "publish-study", 200, c -> w.transitionStudy(c.id(), c.body()));
        route(
                "GET",
                "/studies/{id}/submissions/",
                "get-study-submissions",
                200,
                c -> w.studySubmissions(c.id(), c.query(), c.path()));
        route("GET", "/submissions/", "get-submissions", 200, c -> {
            String study = c.query().get("study");
            if (study == null) throw ProlificError.field("study", "A study id is required.");
            return w.studySubmissions(study, c.query(), c.path());
        });
        route("POST", "/submissions/bulk-approve/", "bulk-approve-submissions", 200, c -> w.bulkApprove(c.body()));
        route(
                "POST",
                "/submissions/bonus-payments/",
                "create-bonus-payments",
                201,
                c -> w.createBonusPayments(c.body()));
        route("GET", "/submissions/{id}/", "get-submission", 200, c -> w.submission(c.id()));
        route(
                "POST",
                "/submissions/{id}/transition/",
                "transition-submission",
                200,
                c -> w.transitionSubmission(c.id(), c.body()));
        route("POST", "/bulk-bonus-payments/{id}/pay/", "pay-bonus-payments", 202, c -> w.payBonusPayments(c.id()));
        route("GET", "/bulk-bonus-payments/{id}/", "get-bonus-payment", 200, c -> w.bonusPayment(c.id()));
        route("POST", "/messages/", "send-message", 201, c -> w.sendMessage(c.body()));
        route("POST", "/messages/bulk/", "bulk-message-participants", 201, c -> w.bulkMessage(c.body()));
        route("GET", "/participant-groups/", "get-participant-groups", 200, c -> w.groups(c.query()));
        route("POST", "/participant-groups/", "create-participant-group", 201, c -> w.createGroup(c.body()));
        route("GET", "/participant-groups/{id}/", "get-participant-group", 200, c -> w.group(c.id()));
        route(
                "GET",
                "/participant-groups/{id}/participants/",
                "get-participant-group-participants",
                200,
                c -> w.groupParticipants(c.id()));
        route(
                "POST",
                "/participant-groups/{id}/participants/",
                "add-to-participant-group",
                200,
                c -> w.addToGroup(c.id(), c.body()));
        route(
                "DELETE",
                "/participant-groups/{id}/participants/",
                "remove-from-participant-group",
                200,
                c -> w.removeFromGroup(c.id(), c.body()));
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange;
                InputStream body = exchange.getRequestBody()) {
            byte[] bytes = body.readAllBytes();
            int status;
            ObjectNode out;
            try {
                Answer answer = serve(exchange, bytes);
                status = answer.status;
                out = answer.body;
            } catch (ProlificError e) {
                status = e.status;
                out = e.body();
            } catch (RuntimeException bug) {
                // An emulator bug answers like Prolific's own failures, so a test sees it instead of a dropped
                // connection.
                ProlificError e = ProlificError.serverError("Emulator failure: " + bug);
                status = e.status;
                out = e.body();
            }
            if (status == 429) exchange.getResponseHeaders().set("Retry-After", "1");
            byte[] answer = JSON.writeValueAsBytes(out);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    private record Answer(int status, ObjectNode body) {}

    private Answer serve(HttpExchange exchange, byte[] bytes) {
        Duration wait = latency;
        if (!wait.isZero()) {
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ProlificError.serverError("The emulator is stopping.");
            }
        }
        String path = exchange.getRequestURI().getPath();
        if (!path.startsWith("/api/")) throw ProlificError.notFound();
        if (!bucket.take()) throw ProlificError.throttled();
        authenticate(exchange.getRequestHeaders().getFirst("Authorization"));
        String method = exchange.getRequestMethod();
        Route route = null;
        Matcher matched = null;
        boolean pathKnown = false;
        for (Route r : routes) {
            Matcher m = r.path.matcher(path);
            if (!m.matches()) continue;
            pathKnown = true;
            if (r.method.equals(method)) {
                route = r;
                matched = m;
                break;
            }
        }
        if (route == null) throw pathKnown ? ProlificError.methodNotAllowed(method) : ProlificError.notFound();
        Fault fault = nextFault(route.operation);
        if (fault == Fault.THROTTLE) throw ProlificError.throttled();
        if (fault == Fault.SERVICE_FAULT) throw ProlificError.serverError("Service temporarily unavailable.");
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= matched.groupCount(); i++) ids.add(matched.group(i));
        Call call = new Call(ids, query(exchange.getRequestURI().getRawQuery()), path, body(bytes));
        ObjectNode out = route.op.apply(call);
        if (fault == Fault.COMMIT_THEN_FAIL) throw ProlificError.serverError("Service temporarily unavailable.");
        return new Answer(route.status, out);
    }

    private void authenticate(String header) {
        if (header == null || header.isBlank()) throw ProlificError.noCredentials();
        if (!header.startsWith("Token ")) throw ProlificError.noCredentials();
        if (!header.substring("Token ".length()).strip().equals(token)) throw ProlificError.invalidToken();
    }

    private static JsonNode body(byte[] bytes) {
        if (bytes.length == 0) return JSON.createObjectNode();
        JsonNode in;
        try {
            in = JSON.readTree(bytes);
        } catch (IOException e) {
            throw ProlificError.badRequest(
                    "JSON parse error - " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (in == null || in.isMissingNode()) return JSON.createObjectNode();
        if (!in.isObject()) throw ProlificError.badRequest("Expected a dictionary of items.");
        return in;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.putIfAbsent(name, value);
        }
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

    static long parseAmount(String amount) {
        if (amount == null || !amount.matches("^[0-9]{1,12}(\\.[0-9]{1,2})?$"))
            throw new IllegalArgumentException("'" + amount + "' is not an amount such as 10000.00");
        return new BigDecimal(amount).movePointRight(2).longValueExact();
    }

    private static String newToken() {
        byte[] bytes = new byte[20];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
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
            if (perSecond < 0) throw new IllegalArgumentException("perSecond must not be negative: " + perSecond);
            this.perSecond = perSecond;
            this.burst = Math.max(1, burst);
            this.tokens = this.burst;
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
