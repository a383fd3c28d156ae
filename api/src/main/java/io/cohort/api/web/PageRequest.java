package io.cohort.api.web;

import java.util.List;
import java.util.Map;

/**
 * One request to a contributed page, after the host checked the login (and, for a POST, the CSRF token).
 *
 * @param method     GET or POST
 * @param subPath    the part of the path after the page's own path ("" or e.g. "/42")
 * @param parameters query and form parameters
 * @param user       the admin who is logged in
 */
public record PageRequest(String method, String subPath, Map<String, List<String>> parameters, String user) {
}
