package io.cohort.plugin.simulation.internal;

import java.time.Instant;

/**
 * One server-side bot's run: the participant it plays, when it started and finished (null while it runs), how many
 * pages it got through, and why it stopped if it failed.
 */
public record BotRun(
        long id,
        String sessionId,
        String participantId,
        String bot,
        Instant started,
        Instant finished,
        int pages,
        String error) {

    static final String COLUMNS = "id, session_id, participant_id, bot, started, finished, pages, error";

    /** running, finished or failed. */
    public String state() {
        return finished == null ? "running" : error == null ? "finished" : "failed";
    }
}
