package io.cohort.api.experiment;

import java.util.List;

/**
 * An experiment definition, read from {@code experiments/<name>/experiment.yaml} or registered as a service by a
 * bundle. {@code version} is the code version recorded on every participant. {@code settings} declares the session
 * settings it takes; {@code defaultSettings} is their defaults as one JSON object. {@code language} (a language code
 * such as {@code de}, or null for the participant's browser's) picks the host's own texts on participant pages.
 * {@code adPath} is a page of this server where the experiment advertises itself to a crowd worker previewing a
 * posting (psiTurk's {@code /ad}), given the market's own query parameters (MTurk's {@code hitId} and
 * {@code assignmentId}); null when the market plugin shows its own ad.
 */
public record Experiment(
        String name,
        String title,
        String version,
        List<Page> pages,
        List<Condition> conditions,
        int groupSize,
        String defaultSettings,
        String completionCode,
        String completionRedirect,
        List<Setting> settings,
        String language,
        String adPath) {

    /** An experiment with no ad of its own (the 1.1 form). */
    public Experiment(
            String name,
            String title,
            String version,
            List<Page> pages,
            List<Condition> conditions,
            int groupSize,
            String defaultSettings,
            String completionCode,
            String completionRedirect,
            List<Setting> settings,
            String language) {
        this(
                name,
                title,
                version,
                pages,
                conditions,
                groupSize,
                defaultSettings,
                completionCode,
                completionRedirect,
                settings,
                language,
                null);
    }

    /** An experiment that declares no settings beyond its defaults (the 1.0 form). */
    public Experiment(
            String name,
            String title,
            String version,
            List<Page> pages,
            List<Condition> conditions,
            int groupSize,
            String defaultSettings,
            String completionCode,
            String completionRedirect) {
        this(
                name,
                title,
                version,
                pages,
                conditions,
                groupSize,
                defaultSettings,
                completionCode,
                completionRedirect,
                List.of(),
                null,
                null);
    }
}
