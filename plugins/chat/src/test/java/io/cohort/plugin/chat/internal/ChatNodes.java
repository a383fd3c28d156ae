package io.cohort.plugin.chat.internal;

import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.platform.InProcessNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Folders;
import io.cohort.testkit.JsonSocket;
import io.cohort.testkit.TestDatabase;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Nodes in this JVM on one fresh database, each a host with the Declarative Services runtime and this plugin's
 * built bundle ({@code plugin.jar}) started, an admin logged in on each, and the experiment {@value #EXPERIMENT}:
 * a form page whose Next button spans the page's width (as many phone layouts draw it), then a last page.
 */
final class ChatNodes implements AutoCloseable {

    static final String EXPERIMENT = "chatty";
    static final String PASSWORD = "chat-test-password";

    final List<InProcessNode> nodes = new ArrayList<>();
    final List<AdminHttp> admins = new ArrayList<>();
    final List<Bundle> plugins = new ArrayList<>();
    private final List<Path> homes = new ArrayList<>();

    static ChatNodes start(int count) throws Exception {
        ChatNodes cluster = new ChatNodes();
        try {
            String db = TestDatabase.create();
            for (int i = 1; i <= count; i++) {
                cluster.startNode(db, "n" + i);
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private void startNode(String db, String name) throws Exception {
        Path home = Files.createTempDirectory("cohort-chat-" + name);
        homes.add(home);
        Path experiment = Files.createDirectories(home.resolve("experiments").resolve(EXPERIMENT));
        Files.writeString(experiment.resolve("experiment.yaml"), """
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
                """);
        Files.writeString(experiment.resolve("first.peb"), """
                {% extends "participant.peb" %}{% block content %}
                <style>#cohort-next { width: 100%; }</style>
                <h1>First page</h1><p style="min-height: 420px">Read this, then go on.</p>
                {% endblock %}""");
        Files.writeString(experiment.resolve("second.peb"), """
                {% extends "participant.peb" %}{% block content %}<h1>Second page</h1>{% endblock %}""");
        InProcessNode node = InProcessNode.start(
                home, Map.of("COHORT_DB_URL", db, "COHORT_NODE_NAME", name, "COHORT_ADMIN_PASSWORD", PASSWORD));
        nodes.add(node);
        for (String jar : System.getProperty("ds.jars").split(",")) {
            node.context().installBundle(Path.of(jar).toUri().toString()).start();
        }
        Bundle plugin = node.context()
                .installBundle(Path.of(System.getProperty("plugin.jar")).toUri().toString());
        plugin.start();
        plugins.add(plugin);
        awaitChat(node.context());
        AdminHttp admin = new AdminHttp(URI.create(node.url()));
        int status = admin.login("admin", PASSWORD).status();
        if (status != 302) {
            throw new IllegalStateException("admin login on " + name + " answered " + status);
        }
        admins.add(admin);
    }

    /** Waits until the plugin's components are up: its participant socket is registered. */
    static void awaitChat(BundleContext context) throws Exception {
        ServiceTracker<SocketEndpoint, SocketEndpoint> tracker = new ServiceTracker<>(
                context,
                FrameworkUtil.createFilter("(&(objectClass=" + SocketEndpoint.class.getName() + ")("
                        + SocketEndpoint.PATH + "=chat/participant))"),
                null);
        tracker.open();
        try {
            if (tracker.waitForService(10_000) == null) {
                throw new IllegalStateException("the chat plugin's socket never came up");
            }
        } finally {
            tracker.close();
        }
    }

    InProcessNode node(int i) {
        return nodes.get(i - 1);
    }

    AdminHttp admin(int i) {
        return admins.get(i - 1);
    }

    <T> T service(int node, Class<T> type) {
        BundleContext c = node(node).context();
        return c.getService(c.getServiceReference(type));
    }

    /** A new session of {@value #EXPERIMENT} with {@code size} participants, opened on node 1. */
    List<Participant> session(int size) {
        String id = service(1, Sessions.class)
                .create(new NewSession(EXPERIMENT, size, null, null, List.of(), false, "ChatNodes"))
                .id();
        return service(1, Participants.class).ofSession(id);
    }

    /** The participant's page on that node. */
    String page(int node, Participant p) {
        return node(node).url() + "p/" + p.sessionId() + "/" + p.token() + "/";
    }

    /** The participant widget's socket on that node, as the page opens it. */
    JsonSocket widget(int node, Participant p) throws Exception {
        return JsonSocket.open(
                node(node).url(), "chat/participant?session=" + p.sessionId() + "&token=" + p.token(), null);
    }

    /** The chat tab's socket on that node, logged in as the admin. */
    JsonSocket adminSocket(int node) throws Exception {
        return JsonSocket.open(
                node(node).url(), "chat/admin", "cohort_admin=" + admin(node).cookie("cohort_admin"));
    }

    @Override
    public void close() throws Exception {
        Exception first = null;
        for (InProcessNode node : nodes) {
            try {
                node.close();
            } catch (Exception e) {
                first = first == null ? e : first;
            }
        }
        for (Path home : homes) {
            Folders.delete(home);
        }
        if (first != null) {
            throw first;
        }
    }
}
