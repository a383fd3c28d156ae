package io.cohort.api.session;

import java.util.List;
import java.util.Optional;
import org.osgi.annotation.versioning.ProviderType;

/** Service: the sessions of this installation. Every change is recorded with who made it. */
@ProviderType
public interface Sessions {

    /**
     * Opens a session with its participants, runs the experiment's {@code new_session} and {@code new_player}
     * hooks, all in one transaction.
     *
     * @throws IllegalArgumentException naming the field (unknown experiment, bad settings JSON, count) — nothing
     *                                  is created then
     */
    Session create(NewSession spec);

    Optional<Session> find(String id);

    /** Newest first. */
    List<Session> list();

    /** An inactive session answers its participants with a "paused" page. */
    void setActive(String id, boolean active, String by);

    void setTesting(String id, boolean testing, String by);

    void setDescription(String id, String description, String by);

    /** @throws IllegalArgumentException when {@code settings} is not a JSON object */
    void setSettings(String id, String settings, String by);
}
