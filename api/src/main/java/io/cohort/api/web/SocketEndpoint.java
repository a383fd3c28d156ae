package io.cohort.api.web;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Whiteboard service: a WebSocket endpoint served at {@code /ws/<}{@value #PATH}{@code >}. Admin endpoints
 * ({@value #AUDIENCE}{@code =admin}, the default) accept only logged-in admins.
 */
@ConsumerType
public interface SocketEndpoint {

    String PATH = "cohort.socket.path";
    /** {@code admin} or {@code participant}. */
    String AUDIENCE = "cohort.socket.audience";

    default void onOpen(Socket socket) {}

    void onMessage(Socket socket, String message);

    default void onClose(Socket socket) {}

    /** One open connection. */
    @ProviderType
    interface Socket {
        String id();

        /** The admin user, or the participant id, that opened it. */
        String principal();

        void send(String message);

        void close();
    }
}
