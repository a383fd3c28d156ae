package io.cohort.api.web;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: an action an admin can take on a selection (participants, sessions, HITs...).
 * Register it with {@value #NAME} (unique, e.g. {@code mturk.approve}), {@value #LABEL} and {@value #TARGET}
 * (what it acts on, e.g. {@code participant}). The host lists actions for a target, asks for confirmation,
 * checks the CSRF token, calls it, and writes an audit row. Also served as {@code POST /api/actions/{name}}.
 */
@ConsumerType
public interface AdminAction {

    String NAME = "cohort.action";
    String LABEL = "cohort.action.label";
    String TARGET = "cohort.action.target";

    Result perform(String user, List<String> targets, Map<String, String> parameters) throws Exception;

    /** @param ok whether the action succeeded; @param message what to tell the admin */
    record Result(boolean ok, String message) {}
}
