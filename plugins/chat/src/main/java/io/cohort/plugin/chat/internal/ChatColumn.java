package io.cohort.plugin.chat.internal;

import io.cohort.api.session.Session;
import io.cohort.api.web.MonitorColumn;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The monitor's Chat column: for each participant a link to their channel, with the count of their messages no
 * admin has read. {@link Chat} publishes {@link #CHANGED} when a count changes.
 */
@Component(
        service = MonitorColumn.class,
        property = {MonitorColumn.NAME + "=chat", MonitorColumn.LABEL + "=Chat", MonitorColumn.ORDER + "=50"})
public final class ChatColumn implements MonitorColumn {

    static final String ICON = "\uD83D\uDCAC";

    private final Chat chat;

    @Activate
    public ChatColumn(@Reference Chat chat) {
        this.chat = chat;
    }

    @Override
    public Map<String, Cell> cells(Session session, List<String> participantIds) {
        // Only the participants asked for: the monitor often asks for one cell of a large session.
        Map<String, Long> unread = chat.unreadByChannel(session.id(), participantIds);
        Map<String, Cell> cells = new LinkedHashMap<>();
        for (String id : participantIds) {
            long n = unread.getOrDefault(id, 0L);
            String link = "/admin/sessions/" + session.id() + "/chat/" + id;
            cells.put(
                    id,
                    n > 0
                            ? new Cell(ICON + " " + n, link, n + (n == 1 ? " unread message" : " unread messages"))
                            : new Cell(ICON, link, unread.containsKey(id) ? "Chat" : "Start a chat"));
        }
        return cells;
    }
}
