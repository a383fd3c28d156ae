package io.cohort.plugin.chat.internal;

import java.time.Instant;

/**
 * One channel as the chat tab lists it.
 *
 * @param unread   the participant's messages no admin has read yet
 * @param replies  whether the participant may answer (their own setting, else the session's default)
 * @param own      the participant's own setting, or null when the session's default applies
 */
public record ChannelSummary(
        String participantId,
        String lastText,
        Instant lastAt,
        long messages,
        long unread,
        boolean replies,
        Boolean own) {}
