package io.cohort.plugin.simulation.internal;

import java.time.Instant;

/**
 * One server-side bot's run: the participant it plays, when it started and finished (null while it runs), how many
 * pages it got through, why it stopped if it failed, and its state: {@code running}, {@code finished} or
 * {@code failed}.
 */
public record BotRun(
        long id,
        String sessionId,
        String participantId,
        String bot,
        Instant started,
        Instant finished,
        int pages,
        String error,
        String state) {

    static final String COLUMNS = "id, session_id, participant_id, bot, started, finished, pages, error,"
            + " CASE WHEN finished IS NULL THEN 'running' WHEN error IS NULL THEN 'finished' ELSE 'failed' END AS state";
}
