package io.cohort.api.web;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: an action an admin can take on a selection (participants, sessions, HITs...).
 * Register it with {@value #NAME} (unique, e.g. {@code mturk.approve}), {@value #LABEL} and {@value #TARGET}
 * (what it acts on, e.g. {@code participant}). The host lists actions for a target, asks for confirmation,
 * checks the CSRF token, calls it, and writes an audit row. Also served as {@code POST /api/actions/{name}}.
 *
 * <p>An action whose target is {@value #PARTICIPANT} is a button of the participant monitor on each session's page
 * (live: it appears and vanishes with the service). It acts on the chosen participants; its parameters carry
 * {@code session} (the session's id) and one text box per name in {@value #PARAMETERS}.
 */
@ConsumerType
public interface AdminAction {

    String NAME = "cohort.action";
    String LABEL = "cohort.action.label";
    String TARGET = "cohort.action.target";
    /** The target of an action on a session's participants. */
    String PARTICIPANT = "participant";
    /** Optional: the names of the text boxes (e.g. {@code text}) the session page shows beside the button. */
    String PARAMETERS = "cohort.action.parameters";

    Result perform(String user, List<String> targets, Map<String, String> parameters) throws Exception;

    /** @param ok whether the action succeeded; @param message what to tell the admin */
    record Result(boolean ok, String message) {}
}
