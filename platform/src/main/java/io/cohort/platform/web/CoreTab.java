package io.cohort.platform.web;

import io.cohort.api.web.AdminPage;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.View;
import java.util.Hashtable;
import java.util.Map;

/**
 * A tab of the host's own: registered as an {@link AdminPage} service with the same properties a plugin's tab
 * carries, so the menu is read from the service registry for both. Its requests are served by the Pippo routes it
 * mounts (they need the whole request: status codes, downloads, JSON); the host reaches {@link #handle} only for a
 * path below the tab that none of them serves.
 */
public interface CoreTab extends Tab, AdminPage {

    /** Its menu entry: the path under {@code /admin} (e.g. {@code /sessions}), the label and the order. */
    ContributedPages.MenuItem menuItem();

    /** A path below this tab that no route of the tab serves. */
    @Override
    default View handle(PageRequest request) {
        throw RequestError.notFound("There is no page at /admin" + menuItem().path() + request.subPath() + ".");
    }

    /** The service properties a plugin's tab would carry. */
    static Hashtable<String, Object> properties(CoreTab tab) {
        ContributedPages.MenuItem item = tab.menuItem();
        return new Hashtable<>(
                Map.of(AdminPage.PATH, item.path(), AdminPage.MENU, item.label(), AdminPage.MENU_ORDER, item.order()));
    }
}
