package io.cohort.plugin.prolific.internal;

import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.web.ParticipantPageContribution;
import java.util.Optional;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * On the end page of a participant who came from Prolific, the button that sends them back to Prolific with the
 * completion code: a form to {@code /prolific/finish} carrying their session and URL token (their token grants
 * them, and no one else).
 */
@Component(service = ParticipantPageContribution.class)
public final class ProlificFinishButton implements ParticipantPageContribution {

    private final Participants participants;

    @Activate
    public ProlificFinishButton(@Reference Participants participants) {
        this.participants = participants;
    }

    @Override
    public String head(ParticipantPage page) {
        return "";
    }

    @Override
    public String body(ParticipantPage page) {
        if (!page.end()) {
            return "";
        }
        Optional<Participant> p = participants.find(page.participantId());
        if (p.isEmpty() || !ProlificProvider.NAME.equals(p.get().provider())) {
            return "";
        }
        return "<form id=\"prolific-finish\" method=\"post\" action=\"/prolific/finish\">"
                + "<input type=\"hidden\" name=\"sessionId\" value=\""
                + html(p.get().sessionId()) + "\">"
                + "<input type=\"hidden\" name=\"token\" value=\""
                + html(p.get().token()) + "\">"
                + "<button type=\"submit\">Finish and go back to Prolific</button></form>";
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
