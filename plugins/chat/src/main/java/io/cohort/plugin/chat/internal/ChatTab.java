package io.cohort.plugin.chat.internal;

import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Session;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.SessionTab;
import io.cohort.api.web.View;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The Chat tab of a session's page, {@code /admin/sessions/{id}/chat}: the channels (latest first, with unread
 * counts), the form that writes to chosen participants at once, and the session's default for replies;
 * {@code /chat/{participant}}: one channel, read (which clears its unread count), answered, its replies on or off.
 * Actions: {@code POST /chat/send} ({@code participants}, {@code text}), {@code POST /chat/replies} ({@code on}),
 * {@code POST /chat/{participant}/replies} ({@code on}: on, off or default).
 */
@Component(
        service = SessionTab.class,
        property = {SessionTab.PATH + "=chat", SessionTab.LABEL + "=Chat", SessionTab.ORDER + "=50"})
public final class ChatTab implements SessionTab {

    private static final Pattern CHANNEL = Pattern.compile("/([^/]+)(/replies)?");

    private final Chat chat;
    private final ChatModel model;
    private final Participants participants;
    /** What each admin's last action did, shown once on the page after the redirect. */
    private final Map<String, Flash> flashes = new ConcurrentHashMap<>();

    @Activate
    public ChatTab(@Reference Chat chat, @Reference ChatModel model, @Reference Participants participants) {
        this.chat = chat;
        this.model = model;
        this.participants = participants;
    }

    /** Public: the templates read it. Not ok: what was asked for was not done. */
    public record Flash(boolean ok, String message) {}

    @Override
    public View handle(Session session, PageRequest request) {
        String base = "/admin/sessions/" + session.id() + "/chat";
        String path = request.subPath() == null ? "" : request.subPath();
        Matcher channel = CHANNEL.matcher(path);
        boolean post = "POST".equals(request.method());
        if (path.isEmpty() || path.equals("/")) {
            return post ? View.redirect(base) : list(session, request.user());
        }
        if (post && path.equals("/send")) {
            return send(session, request, base);
        }
        if (post && path.equals("/replies")) {
            return act(request.user(), base, () -> {
                boolean on = onOff(first(request, "on"));
                chat.setSessionDefault(session.id(), on, request.user());
                return "Replies are " + (on ? "on" : "off") + " for participants without a setting of their own.";
            });
        }
        if (channel.matches()) {
            Optional<Participant> p = participants
                    .find(channel.group(1))
                    .filter(x -> x.sessionId().equals(session.id()));
            if (p.isEmpty()) {
                return missing(base, "There is no participant " + channel.group(1) + " in session " + session.id());
            }
            String to = base + "/" + p.get().id();
            if (post && channel.group(2) != null) {
                return act(request.user(), to, () -> {
                    String on = first(request, "on");
                    Boolean value = "default".equals(on) ? null : onOff(on);
                    chat.setReplies(session.id(), p.get().id(), value);
                    return "Replies of " + ChatModel.name(p.get(), p.get().id()) + " are "
                            + (value == null ? "the session's default" : value ? "on" : "off") + ".";
                });
            }
            if (!post && channel.group(2) == null) {
                return channel(session, p.get(), request.user());
            }
        }
        return missing(base, "There is no page at " + base + path);
    }

    private View list(Session session, String user) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", session.id());
        m.put("channels", model.channels(session.id()));
        m.put("participants", model.participants(session.id()));
        m.put("repliesDefault", chat.sessionDefault(session.id()));
        m.put("maxLength", Chat.MAX_LENGTH);
        putFlash(m, user);
        return View.of("templates/chat.peb", m);
    }

    private View channel(Session session, Participant p, String user) {
        // Reading the channel is what clears its unread count, on every admin's page.
        chat.readByAdmin(session.id(), p.id());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("session", session.id());
        m.put("participant", p.id());
        m.put("name", ChatModel.name(p, p.id()));
        m.put("status", p.status().name());
        m.put("messages", model.messages(p.id()));
        Optional<Boolean> replies = chat.replies(p.id());
        m.put("open", replies.isPresent());
        m.put("replies", replies.orElse(chat.sessionDefault(session.id())));
        m.put(
                "repliesOwn",
                model.channels(session.id()).stream()
                        .filter(c -> c.get("participant").equals(p.id()))
                        .map(c -> c.get("repliesOwn"))
                        .findFirst()
                        .orElse("default"));
        m.put("maxLength", Chat.MAX_LENGTH);
        putFlash(m, user);
        return View.of("templates/channel.peb", m);
    }

    private View send(Session session, PageRequest request, String base) {
        List<String> to = request.parameters().getOrDefault("participants", List.of());
        String back = to.size() == 1 && request.parameters().containsKey("channel") ? base + "/" + to.get(0) : base;
        return act(request.user(), back, () -> {
            int sent = chat.fromAdmin(session.id(), to, request.user(), first(request, "text"))
                    .size();
            return sent == 1 ? "Sent." : "Sent to " + sent + " participants.";
        });
    }

    /** Runs an action; its outcome, or why it was refused, is shown on the page it goes back to. */
    private View act(String user, String back, Supplier<String> action) {
        try {
            flashes.put(user, new Flash(true, action.get()));
        } catch (IllegalArgumentException e) {
            flashes.put(user, new Flash(false, e.getMessage()));
        }
        return View.redirect(back);
    }

    private void putFlash(Map<String, Object> model, String user) {
        Flash flash = flashes.remove(user);
        if (flash != null) {
            model.put("flash", flash);
        }
    }

    private static View missing(String base, String message) {
        return View.of("templates/missing.peb", Map.of("message", message, "back", base));
    }

    private static String first(PageRequest request, String name) {
        List<String> values = request.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static boolean onOff(String value) {
        if ("on".equals(value) || "true".equals(value)) {
            return true;
        }
        if ("off".equals(value) || "false".equals(value)) {
            return false;
        }
        throw new IllegalArgumentException("on: must be on or off, not " + value);
    }
}
