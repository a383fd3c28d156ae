package io.cohort.plugin.chat.internal;

import io.cohort.api.web.ParticipantPageContribution;
import org.osgi.service.component.annotations.Component;

/**
 * The chat widget on every participant page, hidden: its script shows the button when the socket's hello says the
 * channel exists or the experimenter's first message arrives. So a page's render asks the database nothing. The
 * style and script are this bundle's static files ({@code /static/plugins/io.cohort.plugin.chat/}, served while
 * this widget is registered), not inline: each page carries only the markup. The page's session and URL token
 * (the participant's own credentials, already in the page's URL) open the widget's socket.
 */
@Component(service = ParticipantPageContribution.class)
public final class ChatWidget implements ParticipantPageContribution {

    static final String FILES = "/static/plugins/io.cohort.plugin.chat/";

    @Override
    public String head(ParticipantPage page) {
        return "<link rel=\"stylesheet\" href=\"" + FILES + "chat-widget.css\">";
    }

    @Override
    public String body(ParticipantPage page) {
        return "<div id=\"cohort-chat\" data-session=\"" + html(page.sessionId()) + "\" data-token=\""
                + html(page.token()) + "\" data-max=\"" + Chat.MAX_LENGTH + "\">"
                + "<button type=\"button\" id=\"cohort-chat-button\" aria-label=\"Messages from the experimenter\""
                + " hidden>" + ChatColumn.ICON
                + "<span class=\"cohort-chat-dot\" hidden></span></button>"
                + "<section id=\"cohort-chat-window\" role=\"dialog\" aria-label=\"Messages from the experimenter\""
                + " hidden><div class=\"cohort-chat-head\"><span>Messages from the experimenter</span>"
                + "<button type=\"button\" class=\"cohort-chat-close\" aria-label=\"Close\">\u00d7</button></div>"
                + "<ol class=\"cohort-chat-log\"></ol>"
                + "<p class=\"cohort-chat-notice\" hidden>The experimenter is not taking replies.</p>"
                + "<p class=\"cohort-chat-error\" role=\"alert\" hidden></p>"
                + "<form class=\"cohort-chat-form\"><textarea aria-label=\"Your message\" rows=\"2\" maxlength=\""
                + Chat.MAX_LENGTH + "\"></textarea><button type=\"submit\">Send</button></form></section>"
                + "<script src=\"" + FILES + "chat-widget.js\"></script></div>";
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
}
