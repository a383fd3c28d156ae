package io.cohort.api.session;

import io.cohort.api.crowd.CrowdMode;
import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Service: the participants of every session. */
@ProviderType
public interface Participants {

    Optional<Participant> find(String id);

    /** The participant whose URL carries {@code token} in {@code sessionId}; empty for any mismatch. */
    Optional<Participant> byToken(String sessionId, String token);

    /** In the order they were created. */
    List<Participant> ofSession(String sessionId);

    /** Every participant a crowd worker has been, in any session, oldest first. */
    List<Participant> ofWorker(String provider, String workerId);

    /**
     * Adds a participant to a running session (a crowd worker, a room arrival); runs {@code new_player}.
     *
     * @param crowd null for one who came by URL or room
     */
    Participant add(String sessionId, String name, CrowdArrival crowd, String by);

    /**
     * Adds a simulated participant (mode {@link CrowdMode#BOT}) to a session, as {@link #add} does a person; runs
     * {@code new_player}. Bots are shown in the monitor, never paid, and can be left out of exports.
     */
    Participant addBot(String sessionId, String name, String by);

    /** Records a status change as a field row with who made it. */
    void setStatus(String participantId, ParticipantStatus status, String by);

    /** Sets the bonus (cents) the ledger will pay; recorded as a field row. */
    void setBonus(String participantId, long cents, String by);

    /** Where a crowd worker came from. */
    record CrowdArrival(String provider, String workerId, String assignmentId, String hitId, CrowdMode mode) {}
}
