package io.cohort.api.web;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Whiteboard service: HTML a plugin adds to every participant page (a chat widget, a simulation bot).
 * The returned markup is inserted as it is: it must escape whatever it takes from the participant.
 *
 * <p>Live: when the service is registered or unregistered, the host adds or removes its markup on participant
 * pages that are open (through the page's socket, with no reload). The host wraps the body markup in an element it
 * can remove; scripts in it run when added. A contribution's own script should undo what it set up outside that
 * element when the page fires {@code cohort:contribution-removed} on {@code document}.
 */
@ConsumerType
public interface ParticipantPageContribution {

    /** Markup for the end of {@code <head>}, e.g. a script tag; "" for none. */
    String head(ParticipantPage page);

    /** Markup for the end of {@code <body>}; "" for none. */
    String body(ParticipantPage page);

    /**
     * The page being rendered.
     *
     * @param end   whether it is the host's end page, past the experiment's last page (an experiment may name one of
     *              its own pages "end" too)
     * @param token the participant's URL token, their credential (already in the page's URL), e.g. for a script that
     *              opens a participant socket ({@code /ws/<path>?session=&token=}); escape it like any other value.
     *              Null only from the constructor without it
     */
    record ParticipantPage(String sessionId, String participantId, String pageName, boolean end, String token) {
        /** The page as api.web 1.1 described it, without the token. */
        public ParticipantPage(String sessionId, String participantId, String pageName, boolean end) {
            this(sessionId, participantId, pageName, end, null);
        }
    }
}
