package io.cohort.plugin.chat.internal;

import io.cohort.api.web.AdminAction;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The session monitor's "Send a chat message" button: the text to each chosen participant, in their channel. */
@Component(
        service = AdminAction.class,
        property = {
            AdminAction.NAME + "=chat.message",
            AdminAction.LABEL + "=Send a chat message",
            AdminAction.TARGET + "=" + AdminAction.PARTICIPANT,
            AdminAction.PARAMETERS + "=text"
        })
public final class MessageAction implements AdminAction {

    private final Chat chat;

    @Activate
    public MessageAction(@Reference Chat chat) {
        this.chat = chat;
    }

    @Override
    public Result perform(String user, List<String> targets, Map<String, String> parameters) {
        String session = parameters.get("session");
        if (session == null || session.isBlank()) {
            return new Result(false, "session: missing");
        }
        try {
            int sent = chat.fromAdmin(session, targets, user, parameters.get("text"))
                    .size();
            return new Result(true, "Chat message sent to " + sent + (sent == 1 ? " participant." : " participants."));
        } catch (IllegalArgumentException e) {
            return new Result(false, e.getMessage());
        }
    }
}
