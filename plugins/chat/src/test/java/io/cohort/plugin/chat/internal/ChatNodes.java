package io.cohort.plugin.chat.internal;

import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.JsonSocket;
import io.cohort.testkit.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;

/**
 * Hosts in this JVM on one fresh database ({@link CohortHost}s, each its own node), each with the Declarative
 * Services runtime ({@code ds.jars}) and this plugin's built bundle ({@code plugin.jar}) started and an admin logged
 * in, and the experiment {@value #EXPERIMENT}: a form page whose Next button spans the page's width (as many phone
 * layouts draw it), then a last page.
 */
final class ChatNodes implements AutoCloseable {

    static final String EXPERIMENT = "chatty";
    private static final Map<String, String> FILES =
            Map.of("experiment.yaml", """
            name: chatty
            title: A study with a chat
            version: "1"
            pages:
              - name: first
                kind: form
                template: first.peb
                fields:
                  - {name: mood, type: int, label: "How are you (1 to 7)?", required: false}
              - {name: second, kind: form, template: second.peb}
            """, "first.peb", """
            {% extends "participant.peb" %}{% block content %}
            <style>#cohort-next { width: 100%; }</style>
            <h1>First page</h1><p style="min-height: 420px">Read this, then go on.</p>
            {% endblock %}""", "second.peb", """
            {% extends "participant.peb" %}{% block content %}<h1>Second page</h1>{% endblock %}""");

    final List<CohortHost> nodes = new ArrayList<>();
    final List<Bundle> plugins = new ArrayList<>();

    static ChatNodes start(int count) throws Exception {
        ChatNodes cluster = new ChatNodes();
        try {
            String db = TestDatabase.create();
            for (int i = 1; i <= count; i++) {
                CohortHost node = CohortHost.builder()
                        .experiment(EXPERIMENT, FILES)
                        .env("COHORT_DB_URL", db)
                        .env("COHORT_NODE_NAME", "n" + i)
                        .build();
                cluster.nodes.add(node);
                node.start();
                for (String jar : System.getProperty("ds.jars").split(",")) {
                    node.install(jar);
                }
                cluster.plugins.add(node.install(System.getProperty("plugin.jar")));
                awaitChat(node);
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    /** Waits until the plugin's components are up: its participant socket is registered. */
    static void awaitChat(CohortHost node) {
        node.service(SocketEndpoint.class, "(" + SocketEndpoint.PATH + "=chat/participant)");
    }

    CohortHost node(int i) {
        return nodes.get(i - 1);
    }

    /** The node's base URL, ending in {@code /}. */
    String url(int i) {
        return node(i).host().url();
    }

    AdminHttp admin(int i) {
        return node(i).admin();
    }

    /** A new session of {@value #EXPERIMENT} with {@code size} participants, opened on node 1. */
    List<Participant> session(int size) {
        String id = node(1).service(Sessions.class)
                .create(new NewSession(EXPERIMENT, size, null, null, List.of(), false, "ChatNodes"))
                .id();
        return node(1).service(Participants.class).ofSession(id);
    }

    /** The participant's page on that node. */
    String page(int node, Participant p) {
        return url(node) + "p/" + p.sessionId() + "/" + p.token() + "/";
    }

    /** The participant widget's socket on that node, as the page opens it. */
    JsonSocket widget(int node, Participant p) throws Exception {
        return JsonSocket.open(url(node), "chat/participant?session=" + p.sessionId() + "&token=" + p.token(), null);
    }

    /** The chat tab's socket on that node, logged in as the admin. */
    JsonSocket adminSocket(int node) throws Exception {
        return JsonSocket.open(
                url(node), "chat/admin", "cohort_admin=" + admin(node).cookie("cohort_admin"));
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (CohortHost node : nodes) {
            try {
                node.stop();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
