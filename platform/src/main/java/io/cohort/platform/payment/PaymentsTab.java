package io.cohort.platform.payment;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.crowd.CrowdException;
import io.cohort.api.payment.PaymentBatch;
import io.cohort.api.payment.PaymentKind;
import io.cohort.api.payment.PaymentPlan;
import io.cohort.api.payment.PlanRefused;
import io.cohort.api.payment.PlanRequest;
import io.cohort.platform.session.ParticipantStore;
import io.cohort.platform.web.AdminRequest;
import io.cohort.platform.web.AuditLog;
import io.cohort.platform.web.ContributedPages;
import io.cohort.platform.web.CoreTab;
import io.cohort.platform.web.Layout;
import io.cohort.platform.web.Tab;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import ro.pippo.core.Application;
import ro.pippo.core.route.RouteContext;

/**
 * The Payments tab ({@code /admin/payments}) and its JSON twin ({@code /api/payments}): batch actions with a preview
 * and a confirmation, pasted payment files, the batches with live progress. Every commit and posting action leaves an
 * audit row. A request names its action ({@code approve-submitted}, {@code bonus-auto}, {@code approve-all-workers},
 * {@code approve}, {@code reject}, {@code bonus} (with {@code participant}s), {@code file}, {@code expire-hits}
 * (closes every open posting), {@code delete-hits}: the action names are the API's since before postings); a
 * preview builds the plan and writes nothing, a commit writes and starts it.
 */
@Singleton
public final class PaymentsTab implements CoreTab {

    @Override
    public ContributedPages.MenuItem menuItem() {
        return new ContributedPages.MenuItem("/payments", "Payments", 400);
    }

    private static final String BATCH = "{id: [0-9]+}";

    private final PaymentLedger ledger;
    private final BatchActions actions;
    private final CrowdProviders providers;
    private final Layout layout;
    private final AuditLog audit;
    private final ParticipantStore participants;

    @Inject
    public PaymentsTab(
            PaymentLedger ledger,
            BatchActions actions,
            CrowdProviders providers,
            ParticipantStore participants,
            Layout layout,
            AuditLog audit) {
        this.participants = participants;
        this.ledger = ledger;
        this.actions = actions;
        this.providers = providers;
        this.layout = layout;
        this.audit = audit;
    }

    @Override
    public void routes(Application app) {
        app.GET("/admin/payments", Tab.handler(this::list));
        app.GET("/api/payments/batches", Tab.handler(ctx -> Layout.json(ctx, 200, ledger.batches())));
        for (boolean api : new boolean[] {false, true}) {
            String base = api ? "/api/payments" : "/admin/payments";
            app.POST(base + "/preview", Tab.handler(ctx -> act(ctx, api, false)));
            app.POST(base + "/commit", Tab.handler(ctx -> act(ctx, api, true)));
            app.POST(base + "/batches/" + BATCH + "/resume", Tab.handler(ctx -> resume(ctx, api)));
        }
        app.GET("/admin/payments/batches/" + BATCH, Tab.handler(this::showBatch));
        app.GET("/api/payments/batches/" + BATCH, Tab.handler(ctx -> {
            long id = ctx.getParameter("id").toLong();
            Optional<PaymentBatch> batch = ledger.batch(id);
            if (batch.isEmpty()) {
                Layout.json(ctx, 404, Map.of("error", "batch: there is no payment batch " + id));
            } else {
                Layout.json(ctx, 200, Map.of("batch", batch.get(), "payments", ledger.payments(id)));
            }
        }));
    }

    private void list(RouteContext ctx) {
        Map<String, Object> model = new HashMap<>();
        model.put("providers", providers.accounts());
        model.put("batches", ledger.batches());
        layout.html(ctx, "payments.peb", model);
    }

    private void act(RouteContext ctx, boolean api, boolean commit) {
        String user = AdminRequest.of(ctx).user();
        Map<String, String> form = form(ctx);
        String action = form.getOrDefault("action", "");
        try {
            String provider = providers.named(form.get("provider")).name();
            if (action.equals("expire-hits") || action.equals("delete-hits")) {
                hits(ctx, api, commit, provider, action.equals("delete-hits"), form, user);
                return;
            }
            PlanRequest request = request(action, provider, form, chosen(ctx));
            PaymentPlan plan = ledger.plan(request);
            if (!commit) {
                if (api) {
                    Layout.json(ctx, 200, Map.of("preview", plan.preview(), "payments", plan.rows()));
                } else {
                    layout.html(ctx, "payments-preview.peb", previewModel(form, plan));
                }
                return;
            }
            PaymentBatch batch = ledger.commit(plan, user);
            ledger.execute(batch.id());
            if (api) {
                Layout.json(ctx, 201, batch);
            } else {
                ctx.redirect("/admin/payments/batches/" + batch.id());
            }
        } catch (PlanRefused e) {
            refuse(ctx, api, 422, e.problems());
        } catch (IllegalArgumentException | CrowdException e) {
            refuse(ctx, api, e instanceof CrowdException ? 502 : 400, List.of(e.getMessage()));
        }
    }

    private void refuse(RouteContext ctx, boolean api, int status, List<String> problems) {
        if (api) {
            Layout.json(ctx, status, Map.of("error", String.join("; ", problems), "problems", problems));
        } else {
            ctx.getResponse().status(status);
            layout.html(ctx, "payments-refused.peb", Map.of("problems", problems));
        }
    }

    /**
     * The participants a selection action names: {@code participant} (the API, the preview's confirm form) or the
     * session page's {@code participants} checkboxes, or every participant of {@code session} when "all" is ticked.
     */
    private List<String> chosen(RouteContext ctx) {
        List<String> ids = new ArrayList<>();
        for (String name : List.of("participant", "participants")) {
            String[] values = ctx.getParameter(name).getValues();
            if (values != null) {
                ids.addAll(List.of(values));
            }
        }
        String session = ctx.getParameter("session").toString();
        if ("true".equals(ctx.getParameter("all").toString()) && session != null) {
            participants.ofSession(session).forEach(p -> ids.add(p.id()));
        }
        return ids.stream().filter(id -> !id.isBlank()).distinct().toList();
    }

    private PlanRequest request(String action, String provider, Map<String, String> form, List<String> participants) {
        PlanRequest request = plainRequest(action, provider, form, participants);
        // "Additional bonus" ticked: a second bonus to a worker who has one, on purpose (never for bonus-auto).
        if ("true".equals(form.get("additional"))
                && request.kind() == PaymentKind.BONUS
                && !action.equals("bonus-auto")) {
            return new PlanRequest(
                    request.provider(),
                    request.kind(),
                    request.label() + " (additional)",
                    request.rows(),
                    request.minCents(),
                    request.maxCents(),
                    request.anyWorker(),
                    true);
        }
        return request;
    }

    private PlanRequest plainRequest(
            String action, String provider, Map<String, String> form, List<String> participants) {
        BatchActions.Limits limits = new BatchActions.Limits(cents(form, "min", 1), cents(form, "max", 10_00));
        String reason = form.getOrDefault("reason", "").trim();
        return switch (action) {
            case "approve-submitted" -> actions.approveSubmitted(provider);
            case "bonus-auto" -> actions.bonusAuto(provider, reason, limits);
            case "approve-all-workers" -> actions.approveAllWorkers(provider);
            case "approve", "reject", "bonus", "override" -> {
                if (participants.isEmpty()) {
                    throw new IllegalArgumentException("participant: choose at least one participant");
                }
                yield actions.selection(
                        provider,
                        PaymentKind.valueOf(action.toUpperCase()),
                        participants,
                        form.getOrDefault("amount", ""),
                        reason,
                        limits);
            }
            case "file" -> actions.fromCsv(provider, kind(form.get("kind")), form.getOrDefault("rows", ""), limits);
            default ->
                throw new IllegalArgumentException(
                        "action: '" + action + "' is not one of approve-submitted,"
                                + " bonus-auto, approve-all-workers, approve, reject, bonus, override, file, expire-hits, delete-hits");
        };
    }

    /** Close or delete all postings: the choices on a preview, what happened on a commit. */
    private void hits(
            RouteContext ctx,
            boolean api,
            boolean commit,
            String provider,
            boolean delete,
            Map<String, String> form,
            String user) {
        Map<String, Object> model = new HashMap<>();
        model.put("form", form);
        model.put("delete", delete);
        if (!commit) {
            List<BatchActions.PostingChoice> choices =
                    delete ? actions.deletable(provider) : actions.closable(provider);
            if (api) {
                Layout.json(ctx, 200, Map.of("hits", choices));
            } else {
                model.put("choices", choices);
                model.put(
                        "count",
                        choices.stream()
                                .filter(BatchActions.PostingChoice::chosen)
                                .count());
                layout.html(ctx, "payments-hits.peb", model);
            }
            return;
        }
        List<BatchActions.PostingOutcome> outcomes = actions.actOnPostings(provider, delete, user);
        if (api) {
            Layout.json(ctx, 200, Map.of("hits", outcomes));
        } else {
            model.put("outcomes", outcomes);
            layout.html(ctx, "payments-hits.peb", model);
        }
    }

    private void resume(RouteContext ctx, boolean api) {
        long id = ctx.getParameter("id").toLong();
        if (ledger.batch(id).isEmpty()) {
            refuse(ctx, api, 404, List.of("batch: there is no payment batch " + id));
            return;
        }
        String user = AdminRequest.of(ctx).user();
        ledger.execute(id);
        audit.record(user, "payment.resume", "batch " + id, Map.of());
        if (api) {
            Layout.json(ctx, 202, ledger.batch(id).orElseThrow());
        } else {
            ctx.redirect("/admin/payments/batches/" + id);
        }
    }

    private void showBatch(RouteContext ctx) {
        long id = ctx.getParameter("id").toLong();
        Optional<PaymentBatch> batch = ledger.batch(id);
        if (batch.isEmpty()) {
            layout.message(ctx, 404, "Not found", "There is no payment batch " + id + ".");
            return;
        }
        layout.html(ctx, "payments-batch.peb", Map.of("batch", batch.get(), "payments", ledger.payments(id)));
    }

    private Map<String, Object> previewModel(Map<String, String> form, PaymentPlan plan) {
        Map<String, Object> model = new HashMap<>();
        model.put("form", form);
        model.put(
                "participants",
                plan.rows().stream()
                        .map(r -> r.participantId())
                        .filter(p -> p != null)
                        .toList());
        model.put("plan", plan);
        model.put("preview", plan.preview());
        model.put(
                "money",
                Map.of(
                        "symbol",
                        CrowdProviders.symbol(
                                providers.get(plan.request().provider()).currency()),
                        "total",
                        PaymentLedger.dollars(plan.preview().totalCents()),
                        "fees",
                        PaymentLedger.dollars(plan.preview().feesCents()),
                        "mean",
                        String.format("%.2f", plan.preview().meanCents() / 100),
                        "std",
                        String.format("%.2f", plan.preview().stdCents() / 100),
                        "min",
                        PaymentLedger.dollars(plan.preview().minCents()),
                        "max",
                        PaymentLedger.dollars(plan.preview().maxCents()),
                        "before",
                        PaymentLedger.dollars(plan.preview().balanceBeforeCents()),
                        "after",
                        signedDollars(plan.preview().balanceAfterCents())));
        model.put("shown", plan.rows().subList(0, Math.min(500, plan.rows().size())));
        model.put("pays", ledger.rowPays(plan));
        // Rows that add to a bonus already paid: the preview says so.
        java.util.Set<String> bonused = plan.request().kind() == PaymentKind.BONUS
                ? ledger.assignmentsWith(plan.request().provider(), PaymentKind.BONUS)
                : java.util.Set.of();
        model.put(
                "additional",
                plan.rows().stream()
                        .map(r -> r.assignmentId())
                        .filter(bonused::contains)
                        .toList());
        return model;
    }

    private static String signedDollars(long cents) {
        return cents < 0 ? "-" + PaymentLedger.dollars(-cents) : PaymentLedger.dollars(cents);
    }

    private static PaymentKind kind(String kind) {
        try {
            // A qualification file too (the console's assignQualification): its amount is the score, its reason
            // the qualification type, and the ledger gives each assignment's once.
            return PaymentKind.valueOf(kind == null ? "" : kind.trim().toUpperCase());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("kind: '" + kind + "' is not one of approve, reject, bonus, qualify");
        }
    }

    /** A dollar amount field in cents, or the default when it is empty. */
    private static long cents(Map<String, String> form, String field, long otherwise) {
        String text = form.getOrDefault(field, "").trim();
        if (text.isEmpty()) {
            return otherwise;
        }
        if (!text.matches("[0-9]{1,7}(\\.[0-9]{1,2})?")) {
            throw new IllegalArgumentException(field + ": '" + text + "' is not dollars and cents like 1.25");
        }
        return Math.round(Double.parseDouble(text) * 100);
    }

    private static Map<String, String> form(RouteContext ctx) {
        Map<String, String> form = new LinkedHashMap<>();
        for (String name :
                List.of("action", "provider", "reason", "min", "max", "amount", "kind", "rows", "additional")) {
            String value = ctx.getParameter(name).toString();
            if (value != null) {
                form.put(name, value);
            }
        }
        return form;
    }
}
