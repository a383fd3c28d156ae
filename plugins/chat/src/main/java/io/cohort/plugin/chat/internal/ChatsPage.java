package io.cohort.plugin.chat.internal;

import io.cohort.api.session.Session;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.AdminPage;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.View;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code /admin/chat}: the sessions that have chats, with their unread messages, each linking to its session's
 * Chat tab.
 */
@Component(
        service = AdminPage.class,
        property = {AdminPage.PATH + "=/chat", AdminPage.MENU + "=Chat", AdminPage.MENU_ORDER + "=420"})
public final class ChatsPage implements AdminPage {

    private final Chat chat;
    private final Sessions sessions;

    @Activate
    public ChatsPage(@Reference Chat chat, @Reference Sessions sessions) {
        this.chat = chat;
        this.sessions = sessions;
    }

    @Override
    public View handle(PageRequest request) {
        List<Map<String, Object>> rows = chat.sessions().stream()
                .map(s -> {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("session", s.sessionId());
                    row.put(
                            "experiment",
                            sessions.find(s.sessionId())
                                    .map(Session::experiment)
                                    .orElse(""));
                    row.put("unread", s.unread());
                    row.put("lastAt", s.lastAt());
                    return row;
                })
                .toList();
        return View.of("templates/chats.peb", Map.of("sessions", rows));
    }
}
