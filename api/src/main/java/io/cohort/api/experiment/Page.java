package io.cohort.api.experiment;

import java.util.List;

/**
 * One step of an experiment, rendered from {@code template}.
 *
 * @param bot the page's {@code bot:} section in {@code experiment.yaml} as JSON object text, or null: what a
 *            simulated participant does there ({@code values} to save, {@code records} to append; see the
 *            simulation plugin's README)
 */
public record Page(String name, PageKind kind, String template, List<Field> fields, String bot) {
    public Page(String name, PageKind kind, String template, List<Field> fields) {
        this(name, kind, template, fields, null);
    }
}
