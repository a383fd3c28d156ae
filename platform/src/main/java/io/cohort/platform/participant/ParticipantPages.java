package io.cohort.platform.participant;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Field;
import io.cohort.api.experiment.FieldType;
import io.cohort.api.experiment.Page;
import io.cohort.api.experiment.PageKind;
import io.cohort.api.session.Participant;
import io.cohort.api.web.ParticipantPageContribution;
import io.cohort.platform.experiment.ExperimentCatalog;
import io.cohort.platform.osgi.Whiteboard;
import io.cohort.platform.session.FieldStore;
import io.cohort.platform.session.ParticipantMoves;
import io.cohort.platform.session.ParticipantStore;
import io.pebbletemplates.pebble.PebbleEngine;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.LongStream;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders what a participant sees: the current page of their experiment inside the host's {@code participant.peb}
 * (with the model the page-template contract promises), the end page, and the host's notices (not found, paused).
 * Plugins' {@link ParticipantPageContribution}s are added to every page.
 */
@Singleton
public final class ParticipantPages implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ParticipantPages.class);
    static final ObjectMapper JSON = new ObjectMapper();

    private final PebbleEngine engine;
    private final FieldStore data;
    private final ParticipantStore participants;
    private final HostMessages messages;
    private final Whiteboard<ParticipantPageContribution> contributions;

    @Inject
    public ParticipantPages(
            ExperimentCatalog catalog,
            FieldStore data,
            ParticipantStore participants,
            BundleContext context,
            HostMessages messages) {
        this.messages = messages;
        this.engine = new PebbleEngine.Builder()
                .loader(new ExperimentTemplates(catalog))
                .autoEscaping(true)
                .strictVariables(false)
                .build();
        this.data = data;
        this.participants = participants;
        this.contributions = new Whiteboard<>(context, ParticipantPageContribution.class);
    }

    /** The URL every participant route of {@code p} hangs under. */
    static String base(Participant p) {
        return "/p/" + p.sessionId() + "/" + p.token() + "/";
    }

    /**
     * The participant's current page, or the end page past the last one.
     *
     * @param answers a rejected form submission to show again (its values and errors), or null
     * @param load    this rendering's number, sent back when the page is left (see {@link ParticipantWeb})
     */
    String page(ParticipantMoves.Context ctx, FormAnswers answers, long load, String acceptLanguage) {
        Participant p = ctx.participant();
        Experiment e = ctx.experiment();
        String language = messages.language(e, acceptLanguage);
        Map<String, String> current = data.current(p.id());
        Map<String, Object> fields = parsed(current);
        Map<String, Object> model = new HashMap<>();
        model.put("lang", language);
        model.put("msg", messages.messages(e, language));
        model.put("title", e.title() == null || e.title().isBlank() ? e.name() : e.title());
        model.put("participant", participantModel(p, participants.label(p.id()).orElse(null)));
        model.put("fields", fields);
        model.put("settings", parsedObject(ctx.session().settings()));
        model.put("others", others(p, e));
        model.put("static", "/experiments/" + e.name() + "/static");
        model.put("base", base(p));
        boolean end = ParticipantMoves.finishes(e, p.pageIndex());
        if (end) {
            model.put("completionCode", blankToNull(e.completionCode()));
            model.put("completionRedirect", httpUrl(e.completionRedirect()));
        }
        String template;
        if (p.pageIndex() >= e.pages().size()) {
            model.put(
                    "page",
                    Map.of(
                            "name",
                            "end",
                            "kind",
                            "end",
                            "index",
                            p.pageIndex(),
                            "count",
                            e.pages().size()));
            template = "participant-end.peb";
        } else {
            Page page = e.pages().get(p.pageIndex());
            model.put(
                    "page",
                    Map.of(
                            "name",
                            page.name(),
                            "kind",
                            page.kind().name().toLowerCase(Locale.ROOT),
                            "index",
                            p.pageIndex(),
                            "count",
                            e.pages().size()));
            if (end) {
                // The experiment's own end page: nothing to submit; the host adds the completion code under it.
                model.put("endPage", true);
            } else if (page.kind() == PageKind.FORM) {
                model.put("form", formModel(page, current, answers));
            }
            template = page.template() != null && !page.template().isBlank()
                    ? ExperimentTemplates.name(e.name(), page.template())
                    : page.kind() == PageKind.WAIT ? "participant-wait.peb" : "participant-form.peb";
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("base", base(p));
        config.put("socket", "/ws/p/" + p.sessionId() + "/" + p.token());
        config.put("page", p.pageIndex());
        config.put("pageName", ((Map<?, ?>) model.get("page")).get("name"));
        config.put("kind", ((Map<?, ?>) model.get("page")).get("kind"));
        config.put("load", load);
        // The participant's row as this page shows it (database time): a reload or advance sent with the change
        // that led here is not for this page; the socket's hello says so.
        config.put("since", p.updatedAt() == null ? null : p.updatedAt().toString());
        config.put("fields", fields);
        config.put("settings", model.get("settings"));
        model.put("config", scriptJson(config));
        contribute(model, p, String.valueOf(config.get("pageName")), end);
        return render(template, model);
    }

    /**
     * A notice in the participant layout (not found, paused, unavailable), in the participant's language.
     *
     * @param key the messages' key: {@code <key>.title} and {@code <key>.text}
     * @param e   the experiment, for its language and its own messages; null when none is known (a 404)
     */
    String notice(String key, Experiment e, String acceptLanguage) {
        return message(key, e, acceptLanguage, null);
    }

    /** What a participant sees when the experiment's code or page failed: calm, with a way to try again. */
    String calm(Participant p, Experiment e, String acceptLanguage) {
        return message("error", e, acceptLanguage, base(p));
    }

    /** {@code <key>.title} and {@code <key>.text} in the participant layout; a "Try again" link to {@code retry}. */
    private String message(String key, Experiment e, String acceptLanguage, String retry) {
        String language = messages.language(e, acceptLanguage);
        Map<String, String> msg = messages.messages(e, language);
        Map<String, Object> model = new HashMap<>();
        model.put("lang", language);
        model.put("msg", msg);
        model.put("title", msg.get(key + ".title"));
        model.put("text", msg.get(key + ".text"));
        model.put("retry", retry);
        return render("participant-message.peb", model);
    }

    private String render(String template, Map<String, Object> model) {
        StringWriter out = new StringWriter();
        try {
            engine.getTemplate(template).evaluate(out, model);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static Map<String, Object> participantModel(Participant p, String label) {
        Map<String, Object> m = new HashMap<>();
        m.put("name", p.name());
        m.put("condition", p.condition());
        m.put("group", p.group());
        m.put("pageIndex", p.pageIndex());
        m.put("label", label);
        m.put("status", p.status().name());
        return m;
    }

    /** The other members of the participant's group, each with their current fields. */
    private List<Map<String, Object>> others(Participant p, Experiment e) {
        if (e.groupSize() <= 1 || p.group() == null) {
            return List.of();
        }
        List<Map<String, Object>> others = new ArrayList<>();
        for (Participant o : participants.ofSession(p.sessionId())) {
            if (!o.id().equals(p.id()) && p.group().equals(o.group())) {
                others.add(Map.of("name", o.name(), "fields", parsed(data.current(o.id()))));
            }
        }
        return others;
    }

    /** One entry per field: what the form shows (kind of input, bounds, the value to refill, its error). */
    private static List<Map<String, Object>> formModel(Page page, Map<String, String> current, FormAnswers answers) {
        List<Map<String, Object>> form = new ArrayList<>();
        for (Field f : page.fields()) {
            Map<String, Object> m = new HashMap<>();
            m.put("name", f.name());
            m.put("type", f.type().name().toLowerCase(Locale.ROOT));
            m.put("label", FormAnswers.label(f));
            m.put("required", f.required());
            m.put("min", f.min() == null ? null : FormAnswers.number(f.min()));
            m.put("max", f.max() == null ? null : FormAnswers.number(f.max()));
            m.put("choices", f.choices() == null ? List.of() : f.choices());
            if (f.type() == FieldType.SCALE && f.min() != null && f.max() != null) {
                m.put(
                        "scale",
                        LongStream.rangeClosed(f.min().longValue(), f.max().longValue())
                                .limit(101)
                                .mapToObj(Long::toString)
                                .toList());
            }
            String value;
            if (answers != null) {
                value = answers.entered().get(f.name());
                m.put("error", answers.errors().get(f.name()));
            } else {
                value = plain(current.get(f.name()));
            }
            m.put("value", value == null ? "" : value);
            m.put("checked", "true".equals(value));
            form.add(m);
        }
        return form;
    }

    /** A stored JSON value as the text an input shows ("\"left\"" → left). */
    private static String plain(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JSON.readTree(json).asText(json);
        } catch (JsonProcessingException e) {
            return json;
        }
    }

    private static Map<String, Object> parsed(Map<String, String> current) {
        Map<String, Object> out = new LinkedHashMap<>();
        current.forEach((k, v) -> {
            try {
                out.put(k, JSON.readValue(v, Object.class));
            } catch (JsonProcessingException e) {
                out.put(k, v);
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> parsedObject(String json) {
        try {
            Object v = json == null ? null : JSON.readValue(json, Object.class);
            return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    /**
     * JSON safe inside {@code <script type="application/json">}: {@code <}, {@code >} and {@code &} only occur
     * inside JSON strings, where their unicode escapes mean the same, so nothing can close the script element.
     */
    static String scriptJson(Object value) {
        try {
            return JSON.writeValueAsString(value)
                    .replace("<", "\\u003c")
                    .replace(">", "\\u003e")
                    .replace("&", "\\u0026");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private void contribute(Map<String, Object> model, Participant p, String pageName, boolean end) {
        Markup markup = markup(
                contributions.services(),
                new ParticipantPageContribution.ParticipantPage(p.sessionId(), p.id(), pageName, end, p.token()));
        model.put("contributedHead", markup.head());
        model.put("contributedBody", markup.body());
    }

    /** What contributions add to a page: its head's part and its body's. */
    record Markup(String head, String body) {}

    /**
     * The markup of these contributions on one participant's page, each marked with its service id so that the
     * page can take it out again (cohort.js): head parts between {@code <!--cohort-contribution ID-->} comments,
     * body parts in a {@code <div data-contribution="ID">}.
     */
    static Markup markup(
            Map<ServiceReference<ParticipantPageContribution>, ParticipantPageContribution> which,
            ParticipantPageContribution.ParticipantPage page) {
        StringBuilder head = new StringBuilder();
        StringBuilder body = new StringBuilder();
        for (Map.Entry<ServiceReference<ParticipantPageContribution>, ParticipantPageContribution> entry :
                which.entrySet()) {
            ServiceReference<ParticipantPageContribution> ref = entry.getKey();
            Object id = ref.getProperty(org.osgi.framework.Constants.SERVICE_ID);
            try {
                String h = entry.getValue().head(page);
                String b = entry.getValue().body(page);
                if (h != null && !h.isBlank()) {
                    head.append("<!--cohort-contribution ")
                            .append(id)
                            .append("-->")
                            .append(h)
                            .append("<!--/cohort-contribution ")
                            .append(id)
                            .append("-->\n");
                }
                body.append("<div data-contribution=\"")
                        .append(id)
                        .append("\">")
                        .append(b == null ? "" : b)
                        .append("</div>\n");
            } catch (RuntimeException e) {
                // One plugin's broken widget must not take the participant's page down.
                LOG.warn(
                        "participant page contribution of bundle {} failed: {}",
                        ref.getBundle() == null ? "(gone)" : ref.getBundle().getSymbolicName(),
                        e.toString());
            }
        }
        return new Markup(head.toString(), body.toString());
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Only an absolute http(s) URL is ever put in a link or redirect (the catalog checks too). */
    static String httpUrl(String url) {
        if (url == null) {
            return null;
        }
        String lower = url.strip().toLowerCase(Locale.ROOT);
        return lower.startsWith("https://") || lower.startsWith("http://") ? url.strip() : null;
    }

    @Override
    public void close() {
        contributions.close();
    }
}
