package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.session.Session;
import io.cohort.api.web.AdminAction;
import io.cohort.platform.web.ActionsTab;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What plugins add to a session's page right now: its tabs ({@link SessionTabs}), the monitor's columns ({@link
 * MonitorColumns}) and the actions on participants ({@link ActionsTab}, target {@value AdminAction#PARTICIPANT}).
 * The page is drawn with it, and open pages are sent it again whenever one of them changes ({@link Monitor}).
 */
@Singleton
public final class SessionContributions {

    private final SessionTabs tabs;
    private final MonitorColumns columns;
    private final ActionsTab actions;

    @Inject
    public SessionContributions(SessionTabs tabs, MonitorColumns columns, ActionsTab actions) {
        this.tabs = tabs;
        this.columns = columns;
        this.actions = actions;
    }

    /**
     * {@code tabs} (the tab bar: {@code session}, {@code name}, {@code tabs} with path, label, current), {@code
     * columns} (name, label, order) and {@code actions} (name, label, target, parameters) of a session's page.
     */
    public Map<String, Object> of(Session session) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("tabs", tabs.bar(session, null));
        all.put("columns", columns.columns());
        all.put("actions", actions.list(AdminAction.PARTICIPANT));
        return all;
    }

    /** Runs {@code watcher} after any tab, column or action arrives or goes. */
    public void whenChanged(Runnable watcher) {
        tabs.whenChanged(watcher);
        columns.whenChanged(watcher);
        actions.whenChanged(watcher);
    }
}
