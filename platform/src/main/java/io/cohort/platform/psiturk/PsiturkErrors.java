package io.cohort.platform.psiturk;

import java.util.Map;

/**
 * psiTurk's ExperimentError numbers and what each means, for a project without its own {@code error.html} (psiTurk
 * ships one in its package; projects rarely have their own).
 */
final class PsiturkErrors {

    private static final Map<Integer, String> TEXT = Map.ofEntries(
            Map.entry(1000, "Your status in the experiment is not what it should be."),
            Map.entry(1001, "The link is missing the HIT or assignment id."),
            Map.entry(1002, "The link is missing the HIT, assignment or worker id."),
            Map.entry(1003, "The link is missing the HIT, assignment or worker id, or they are not known here."),
            Map.entry(1004, "This HIT and assignment appear more than once."),
            Map.entry(1008, "You have already started or finished this experiment. It cannot be restarted."),
            Map.entry(1009, "You have already started this experiment in this HIT. It cannot be restarted."),
            Map.entry(
                    1010,
                    "Our records show you have already completed (or tried to complete) this experiment."
                            + " Because it needs people who have not taken part before, you cannot take it again."
                            + " Please return the HIT."),
            Map.entry(1011, "The experiment could not record that you left."),
            Map.entry(1013, "The request is missing something it needs."),
            Map.entry(1017, "The experiment could not record that you finished."),
            Map.entry(2005, "Debug mode is open only while the session is marked as testing."),
            Map.entry(9999, "Something went wrong; the experimenter has been told."));

    private PsiturkErrors() {}

    static String describe(int errornum) {
        return TEXT.getOrDefault(errornum, TEXT.get(9999));
    }

    static String page(int errornum) {
        return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Error " + errornum + "</title></head>"
                + "<body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\"><h1>Sorry</h1>"
                + "<p id=\"errordesc\">" + describe(errornum) + "</p><p>Error number: <span id=\"errornum\">"
                + errornum + "</span></p><p>If you think this is a mistake, please write to the experimenter.</p>"
                + "</body></html>";
    }
}
