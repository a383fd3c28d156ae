package io.cohort.api.web;

import java.util.Map;

/**
 * What a page hands back to the host: a Pebble template from the contributing bundle (rendered inside the
 * host's layout when it {@code extends "layout.peb"}) and its model, or a redirect.
 *
 * @param template   the template path inside the bundle, e.g. {@code templates/hello.peb}; null for a redirect
 * @param model      values for the template; escaped by default
 * @param redirectTo a path to send the browser to instead (after a POST), or null
 */
public record View(String template, Map<String, Object> model, String redirectTo) {

    public static View of(String template, Map<String, Object> model) {
        return new View(template, model, null);
    }

    public static View redirect(String path) {
        return new View(null, Map.of(), path);
    }
}
