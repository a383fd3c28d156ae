package io.cohort.api.session;

import java.util.List;

/**
 * What an admin asks for when opening a session.
 *
 * @param settings         JSON object text overriding the experiment's default settings; null for none
 * @param name             a label for the session; null for a generated one
 * @param participantNames one name per participant, or empty for generated names
 * @param simulate         permanent: bots (the simulation plugin) play this session
 * @param createdBy        who opens it: an admin user, or a plugin's name
 */
public record NewSession(
        String experiment,
        int participants,
        String settings,
        String name,
        List<String> participantNames,
        boolean simulate,
        String createdBy) {}
