package io.cohort.api.web;

import io.cohort.api.session.Session;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: a tab on each session's page (a digest, a chat). Register it with {@value #PATH} (one path
 * segment, e.g. {@code digest}; the host's own segments such as {@code data} or {@code actions} are refused) and
 * {@value #LABEL}. The host serves it at {@code /admin/sessions/{id}/<path>} and below, after the login (and, for a
 * POST, the CSRF check and an audit row), and its JSON twin at {@code /api/sessions/{id}/<path>} with the
 * {@link View}'s model (entries whose name starts with {@code _} left out), as for an {@link AdminPage}.
 *
 * <p>A tab's template {@code extends "layout.peb"}: the host gives the layout the session's tab bar (the
 * session's own page, then every tab by {@value #ORDER}, then label, this one marked current) and shows it above
 * the tab's content, so the tab needs nothing of its own for it. (The bar is the layout's {@code sessionTabs}
 * entry, not part of the twin.)
 *
 * <p>Live: the tab appears on open session pages when the service is registered and vanishes when it goes.
 */
@ConsumerType
public interface SessionTab {
    String PATH = "cohort.session.tab";
    String LABEL = "cohort.session.tab.label";
    /** Optional integer; lower comes first among the tabs. */
    String ORDER = "cohort.session.tab.order";

    /**
     * @param session the session the page is about (it exists)
     * @param request {@link PageRequest#subPath()} is what follows {@code /admin/sessions/{id}/<path>}
     */
    View handle(Session session, PageRequest request) throws Exception;
}
