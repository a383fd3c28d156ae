package io.cohort.api.web;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: a tab of the admin interface. Register it with {@value #PATH} (e.g. {@code /campaigns},
 * served at {@code /admin/campaigns} and below) and {@value #MENU} (the menu label; leave it out for a page
 * with no menu entry). The page and its menu entry appear when the service is registered and vanish when it
 * goes.
 *
 * <p>The host answers the page's JSON twin at the same path under {@code /api} with the {@link View}'s model; entries
 * whose name starts with {@code _} are for the template alone and left out of it. The bundle describes the twin in
 * {@code OSGI-INF/cohort/openapi.yaml}, a {@code paths:} map in the format of the host's OpenAPI description, which
 * the host merges into {@code /api/openapi.json} while the bundle is started.
 */
@ConsumerType
public interface AdminPage {

    String PATH = "cohort.admin.path";
    String MENU = "cohort.menu";
    /** Optional integer; lower comes first in the menu. */
    String MENU_ORDER = "cohort.menu.order";

    View handle(PageRequest request) throws Exception;
}
