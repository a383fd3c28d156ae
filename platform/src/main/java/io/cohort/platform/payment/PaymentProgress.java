package io.cohort.platform.payment;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.api.payment.Payments;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.web.Layout;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A batch's progress, live, at {@code /ws/payments}: a page sends {@code {"watch": "<batch id>"}} and gets every
 * {@value Payments#TOPIC} event of that batch, from whichever node runs it.
 */
public final class PaymentProgress implements SocketEndpoint, EventListener {

    private final Map<String, Set<Socket>> watchers = new ConcurrentHashMap<>();

    /** The service properties the host registers it with: a socket endpoint and an event listener. */
    public static Dictionary<String, Object> properties() {
        Hashtable<String, Object> p = new Hashtable<>();
        p.put(SocketEndpoint.PATH, "payments");
        p.put(SocketEndpoint.AUDIENCE, "admin");
        p.put(EventListener.TOPIC, Payments.TOPIC);
        return p;
    }

    @Override
    public void onMessage(Socket socket, String message) {
        try {
            JsonNode watch = Layout.JSON.readTree(message).get("watch");
            if (watch != null) {
                onClose(socket);
                watchers.computeIfAbsent(watch.asText(), k -> ConcurrentHashMap.newKeySet())
                        .add(socket);
                return;
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException | RuntimeException e) {
            // answered below
        }
        socket.send("{\"error\":\"send {\\\"watch\\\": \\\"<batch id>\\\"}\"}");
    }

    @Override
    public void onClose(Socket socket) {
        watchers.values().forEach(set -> set.remove(socket));
    }

    @Override
    public void onEvent(Event event) {
        try {
            JsonNode batch = Layout.JSON.readTree(event.payload()).get("batch");
            if (batch != null) {
                watchers.getOrDefault(batch.asText(), Set.of()).forEach(s -> s.send(event.payload()));
            }
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // not ours
        }
    }
}
