package io.cohort.api.web;

/**
 * Whiteboard service: a WebSocket endpoint served at {@code /ws/<}{@value #PATH}{@code >}. Admin endpoints
 * ({@value #AUDIENCE}{@code =admin}, the default) accept only logged-in admins.
 */
public interface SocketEndpoint {

    String PATH = "cohort.socket.path";
    /** {@code admin} or {@code participant}. */
    String AUDIENCE = "cohort.socket.audience";

    default void onOpen(Socket socket) {
    }

    void onMessage(Socket socket, String message);

    default void onClose(Socket socket) {
    }

    /** One open connection. */
    interface Socket {
        String id();

        /** The admin user, or the participant id, that opened it. */
        String principal();

        void send(String message);

        void close();
    }
}
