package io.cohort.plugin.chat.internal;

import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.web.ParticipantPageContribution;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The chat widget on every participant page: hidden until the experimenter's first message (shown at once when the
 * channel exists), its style and script inline, since experiment pages may be served where the plugin's static
 * files are not. The page's session and URL token (the participant's own credentials, already in the page's URL)
 * open the widget's socket.
 */
@Component(service = ParticipantPageContribution.class)
public final class ChatWidget implements ParticipantPageContribution {

    private static final String STYLE = resource("widget/chat-widget.css");
    private static final String SCRIPT = resource("widget/chat-widget.js");

    private final Participants participants;
    private final Chat chat;

    @Activate
    public ChatWidget(@Reference Participants participants, @Reference Chat chat) {
        this.participants = participants;
        this.chat = chat;
    }

    @Override
    public String head(ParticipantPage page) {
        return "";
    }

    @Override
    public String body(ParticipantPage page) {
        Optional<Participant> p = participants.find(page.participantId());
        if (p.isEmpty()) {
            return "";
        }
        boolean open = chat.hasChannel(p.get().id());
        return "<div id=\"cohort-chat\" data-session=\"" + html(p.get().sessionId()) + "\" data-token=\""
                + html(p.get().token()) + "\" data-max=\"" + Chat.MAX_LENGTH + "\">"
                + "<style>" + STYLE + "</style>"
                + "<button type=\"button\" id=\"cohort-chat-button\" aria-label=\"Messages from the experimenter\""
                + (open ? "" : " hidden") + ">" + ChatColumn.ICON
                + "<span class=\"cohort-chat-dot\" hidden></span></button>"
                + "<section id=\"cohort-chat-window\" role=\"dialog\" aria-label=\"Messages from the experimenter\""
                + " hidden><div class=\"cohort-chat-head\"><span>Messages from the experimenter</span>"
                + "<button type=\"button\" class=\"cohort-chat-close\" aria-label=\"Close\">\u00d7</button></div>"
                + "<ol class=\"cohort-chat-log\"></ol>"
                + "<p class=\"cohort-chat-notice\" hidden>The experimenter is not taking replies.</p>"
                + "<p class=\"cohort-chat-error\" role=\"alert\" hidden></p>"
                + "<form class=\"cohort-chat-form\"><textarea aria-label=\"Your message\" rows=\"2\" maxlength=\""
                + Chat.MAX_LENGTH + "\"></textarea><button type=\"submit\">Send</button></form></section>"
                + "<script>" + SCRIPT + "</script></div>";
    }

    static String html(String s) {
        return s == null
                ? ""
                : s.replace("&", "&amp;")
                        .replace("<", "&lt;")
                        .replace(">", "&gt;")
                        .replace("\"", "&quot;")
                        .replace("'", "&#39;");
    }

    private static String resource(String name) {
        try (InputStream in = ChatWidget.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing " + name + " in the chat bundle");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
