package io.cohort.platform.session;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.db.Transactions;
import io.pebbletemplates.pebble.error.PebbleException;
import java.sql.PreparedStatement;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The errors participants met: an experiment's hook or page template that threw while serving them. Each is kept
 * (page, message, code location) in its own transaction, the one that failed having been undone, and shown on the
 * session page at the participant's row, live. The participant sees a calm page instead of a bare 500.
 */
@Singleton
public final class ParticipantErrors {

    private static final Logger LOG = LoggerFactory.getLogger(ParticipantErrors.class);

    /** Frames of these packages are the host or its libraries: the location is the first frame of someone else's. */
    private static final Set<String> HOST_PACKAGES = Set.of(
            "io.cohort.platform.",
            "java.",
            "javax.",
            "jdk.",
            "sun.",
            "com.google.",
            "org.apache.",
            "org.eclipse.",
            "ro.pippo.",
            "io.pebbletemplates.",
            "com.fasterxml.",
            "org.postgresql.",
            "com.zaxxer.");

    private static final int MAX_MESSAGE = 2_000;

    private final Transactions tx;
    private final LiveFeed live;

    @Inject
    public ParticipantErrors(Transactions tx, LiveFeed live) {
        this.tx = tx;
        this.live = live;
    }

    /** Keeps {@code error} against the participant and page; never throws (the participant's answer must go out). */
    public void record(String participantId, String page, Throwable error) {
        String message = message(error);
        String location = location(error);
        LOG.error("participant {} on page {}: {} ({})", participantId, page, message, location, error);
        try {
            tx.run(c -> {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO cohort.participant_error"
                        + " (participant_id, page, message, location) VALUES (?, ?, ?, ?)")) {
                    ps.setString(1, participantId);
                    ps.setString(2, page);
                    ps.setString(3, message);
                    ps.setString(4, location);
                    ps.executeUpdate();
                }
                live.changed(participantId);
                return null;
            });
        } catch (RuntimeException e) {
            LOG.error("the error of participant {} could not be stored: {}", participantId, e.toString());
        }
    }

    /** The deepest cause's type and message: what went wrong, not how the host wrapped it. */
    static String message(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        return text.length() > MAX_MESSAGE ? text.substring(0, MAX_MESSAGE) + "…" : text;
    }

    /**
     * Where the lab's code failed: a template's file and line, or the first stack frame (of any cause) outside the
     * host and its libraries, e.g. {@code PrisonersDilemma.java:57 (io.cohort.plugin...PrisonersDilemma.groupArrived)}.
     */
    static String location(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof PebbleException p && p.getFileName() != null) {
                return p.getFileName() + (p.getLineNumber() == null ? "" : ":" + p.getLineNumber());
            }
        }
        StackTraceElement first = null;
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (StackTraceElement frame : t.getStackTrace()) {
                if (first == null) {
                    first = frame;
                }
                if (HOST_PACKAGES.stream().noneMatch(frame.getClassName()::startsWith)) {
                    return where(frame);
                }
            }
        }
        return first == null ? "unknown" : where(first);
    }

    private static String where(StackTraceElement frame) {
        return frame.getFileName() + ":" + frame.getLineNumber() + " (" + frame.getClassName() + "."
                + frame.getMethodName() + ")";
    }
}
