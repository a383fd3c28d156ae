package io.cohort.api.web;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: a tab of the admin interface. Register it with {@value #PATH} (e.g. {@code /campaigns},
 * served at {@code /admin/campaigns} and below) and {@value #MENU} (the menu label; leave it out for a page
 * with no menu entry). The page and its menu entry appear when the service is registered and vanish when it
 * goes.
 */
@ConsumerType
public interface AdminPage {

    String PATH = "cohort.admin.path";
    String MENU = "cohort.menu";
    /** Optional integer; lower comes first in the menu. */
    String MENU_ORDER = "cohort.menu.order";

    View handle(PageRequest request) throws Exception;
}
