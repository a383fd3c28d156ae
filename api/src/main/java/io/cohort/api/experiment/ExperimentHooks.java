package io.cohort.api.experiment;

import io.cohort.api.data.ParticipantData;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Session;
import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: a lab's Java code for one experiment, named by the property {@value #EXPERIMENT}.
 * With the property {@value #RESOURCES} the bundle also ships the experiment itself: the folder inside the bundle
 * holding {@code experiment.yaml}, its page templates and {@code static/}.
 * Hooks run inside the host's transaction for the change that triggered them; throwing undoes that change.
 */
@ConsumerType
public interface ExperimentHooks {

    String EXPERIMENT = "cohort.experiment";
    String RESOURCES = "cohort.experiment.resources";

    /** When a session opens, before its participants are added. */
    default void newSession(Session session, ParticipantData data) {}

    /** When a participant is added to a session (and when an admin re-runs it). */
    default void newPlayer(Session session, Participant participant, ParticipantData data) {}

    /** When every present member of {@code group} has reached wait page {@code page}, before they move on. */
    default void groupArrived(Session session, String page, List<Participant> group, ParticipantData data) {}

    /**
     * A summary of a session, shown on its Digest tab (the digest plugin) and that tab's JSON twin, entries in the
     * map's order (return a {@code LinkedHashMap}). Each entry's name is its heading and its value one of:
     * <ul>
     *   <li>a number, string or boolean: one figure;</li>
     *   <li>a list of numbers (null for none): a chart, one bar per item, labelled 1, 2, …;</li>
     *   <li>a map from labels to numbers: a chart, one bar per label;</li>
     *   <li>a list of maps with the same keys: a table, one row per map.</li>
     * </ul>
     * An empty map (the default) means the experiment has no digest of its own; a default one is shown.
     */
    default Map<String, Object> digest(Session session, List<Participant> participants, ParticipantData data) {
        return Map.of();
    }
}
