package io.cohort.api.experiment;

import java.util.List;

/**
 * A session setting an experiment declares in {@code experiment.yaml}: a new session's or room's settings are
 * checked against these, and the New session form shows one field for each.
 *
 * @param defaultJson the value when a session does not set it, as JSON (null: none)
 * @param min         lower bound of an INT or DECIMAL (null: none)
 * @param max         upper bound (null: none)
 * @param choices     the allowed values of a CHOICE setting
 * @param label       a short text for the form; the name when none is given
 */
public record Setting(
        String name,
        SettingType type,
        String defaultJson,
        Double min,
        Double max,
        List<String> choices,
        String label) {}
