package io.cohort.api.web;

import java.util.List;
import java.util.Map;

/**
 * One request to a contributed page, after the host checked the login (and, for a POST, the CSRF token).
 * The host decides what is an action: a page sees only {@code GET} (a read; a HEAD request arrives as GET and the
 * host drops the body) or {@code POST} (an action, its CSRF token already checked, an audit row written by the
 * host). Any other method is answered by the host with 405 and never reaches the page.
 *
 * @param method     exactly GET or POST
 * @param subPath    the part of the path after the page's own path ("" or e.g. "/42")
 * @param parameters query and form parameters
 * @param user       the admin who is logged in
 */
public record PageRequest(String method, String subPath, Map<String, List<String>> parameters, String user) {}
