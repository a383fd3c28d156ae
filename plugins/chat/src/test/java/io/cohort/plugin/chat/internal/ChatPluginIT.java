package io.cohort.plugin.chat.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import io.cohort.api.session.NewSession;
import io.cohort.api.session.Participant;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.api.web.SocketEndpoint;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.DescribedAnswer;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;

/**
 * The built bundle ({@code plugin.jar}) in a running host: participant pages link the widget's static files, which
 * the host serves; a message sent over HTTP (the monitor's action) opens the participant's channel and lands in the
 * session's export; stopped, its pages, action and files are gone, the participant's page has no button, and the
 * host goes on serving. The probe cannot load the plugin's classes: paths and names are literals.
 */
@RunWith(PaxExam.class)
public class ChatPluginIT {

    private static final String EXPERIMENT = """
            name: chat-study
            title: A study with a chat
            version: "1"
            pages:
              - {name: only, kind: form, template: only.peb}
            """;

    @Inject
    private BundleContext context;

    private final CohortHost cohort = CohortHost.builder()
            .experiment(
                    "chat-study",
                    Map.of(
                            "experiment.yaml",
                            EXPERIMENT,
                            "only.peb",
                            "{% extends \"participant.peb\" %}{% block content %}<h1>Only page</h1>{% endblock %}"))
            .build()
            .in(() -> context);

    private Bundle plugin;

    @Configuration
    public Option[] config() {
        return CohortHost.examOptions();
    }

    @Before
    public void start() throws Exception {
        cohort.start();
        plugin = cohort.install(System.getProperty("plugin.jar"));
        cohort.service(SocketEndpoint.class, "(cohort.socket.path=chat/participant)");
    }

    @After
    public void stop() throws Exception {
        cohort.stop();
    }

    @Test
    public void aMessageOverHttpOpensTheChatAndStoppingTakesItAway() throws Exception {
        AdminHttp admin = cohort.admin();
        AdminHttp visitor = cohort.visitor();
        String session = cohort.service(Sessions.class)
                .create(new NewSession("chat-study", 2, null, null, List.of(), false, "ChatPluginIT"))
                .id();
        List<Participant> people = cohort.service(Participants.class).ofSession(session);
        Participant ann = people.get(0);
        String page = "/p/" + session + "/" + ann.token() + "/";

        // Before the experimenter writes: the widget is on the page, its button hidden, its socket named by Ann's
        // session and token; its script and style are the bundle's static files, not inline.
        String before = visitor.get(page).body();
        assertTrue(before, before.contains("<button type=\"button\" id=\"cohort-chat-button\""));
        assertTrue(before, before.contains("aria-label=\"Messages from the experimenter\" hidden>"));
        assertTrue(
                before,
                before.contains(
                        "<div id=\"cohort-chat\" data-session=\"" + session + "\" data-token=\"" + ann.token() + "\""));
        String files = "/static/plugins/io.cohort.plugin.chat/";
        assertTrue(before, before.contains("<script src=\"" + files + "chat-widget.js\"></script>"));
        assertTrue(before, before.contains("<link rel=\"stylesheet\" href=\"" + files + "chat-widget.css\">"));
        assertFalse(before, before.contains("cohort:contribution-removed"));
        AdminHttp.Response script = visitor.get(files + "chat-widget.js");
        assertEquals(script.toString(), 200, script.status());
        assertTrue(script.toString(), script.header("Content-Type").startsWith("text/javascript"));
        assertTrue(script.body(), script.body().contains("/ws/chat/participant?session="));
        // The next page asks again and, the plugin unchanged, is told its copy is good: no body.
        String etag = script.header("ETag");
        assertTrue(script.toString(), etag != null && etag.startsWith("\""));
        AdminHttp.Response again =
                new AdminHttp(visitor.base()).header("If-None-Match", etag).get(files + "chat-widget.js");
        assertEquals(again.toString(), 304, again.status());
        assertEquals("", again.body());
        AdminHttp.Response style = visitor.get(files + "chat-widget.css");
        assertEquals(style.toString(), 200, style.status());
        assertTrue(style.toString(), style.header("Content-Type").startsWith("text/css"));
        assertTrue(style.body(), style.body().contains("#cohort-chat-button"));

        // Refused, naming the field: nothing is stored, no channel is opened.
        AdminHttp.Response tooLong = admin.postForm(
                "/api/actions/chat.message", Map.of("targets", ann.id(), "session", session, "text", "x".repeat(2001)));
        assertEquals(tooLong.toString(), 400, tooLong.status());
        assertTrue(tooLong.body(), tooLong.body().contains("text: the message is 2,001 characters long"));
        AdminHttp.Response stranger = admin.postForm(
                "/api/actions/chat.message", Map.of("targets", "nobody", "session", session, "text", "Hello"));
        assertEquals(400, stranger.status());
        assertTrue(stranger.body(), stranger.body().contains("'nobody' is not a participant of session"));

        AdminHttp.Response sent = admin.postForm(
                "/api/actions/chat.message",
                Map.of("targets", ann.id(), "session", session, "text", "Hello <Ann> & welcome"));
        assertEquals(sent.toString(), 200, sent.status());
        assertTrue(sent.body(), sent.body().contains("Chat message sent to 1 participant."));

        // The channel exists, yet Ann's next page is the same markup: the page's render asks the chat nothing (her
        // widget's socket hello shows the button: ChatBrowserIT). Bob's page names his own token.
        String after = visitor.get(page).body();
        assertTrue(after, after.contains("aria-label=\"Messages from the experimenter\" hidden>"));
        String bob =
                visitor.get("/p/" + session + "/" + people.get(1).token() + "/").body();
        assertTrue(bob, bob.contains("data-token=\"" + people.get(1).token() + "\""));

        // The monitor's Chat column: Ann has a channel, Bob not yet.
        String monitor = admin.get("/api/sessions/" + session).body();
        String chats = "\"link\":\"/admin/sessions/" + session + "/chat/";
        assertTrue(monitor, monitor.contains(chats + ann.id() + "\",\"title\":\"Chat\""));
        assertTrue(monitor, monitor.contains(chats + people.get(1).id() + "\",\"title\":\"Start a chat\""));

        // The tab writes to Bob (its form over HTTP, with the CSRF token) and lists both channels.
        String tab = "/admin/sessions/" + session + "/chat";
        assertTrue(admin.get(tab).body().contains("id=\"chat-send\""));
        AdminHttp.Response toBob = admin.postForm(
                tab + "/send", Map.of("participants", people.get(1).id(), "text", "Bob, are you there?"));
        assertEquals(toBob.toString(), 302, toBob.status());
        assertEquals(tab, toBob.redirectPath());
        String list = admin.get(tab).body();
        assertTrue(list, list.contains("id=\"chat-flash\" class=\"notice\">Sent.</p>"));
        assertTrue(list, list.contains("<td class=\"chat-last\">Bob, are you there?</td>"));
        assertTrue(list, list.contains("<td class=\"chat-last\">Hello &lt;Ann&gt; &amp; welcome</td>"));
        AdminHttp.Response empty = admin.postForm(tab + "/send", Map.of("participants", ann.id(), "text", " "));
        assertEquals(302, empty.status());
        assertTrue(admin.get(tab).body().contains("class=\"error\">text: the message is empty</p>"));

        // The session's default for replies, stored by the plugin: Bob's channel follows it, his own setting wins.
        assertEquals(302, admin.postForm(tab + "/replies", Map.of("on", "off")).status());
        String off = admin.get(tab).body();
        assertTrue(off, off.contains("<strong id=\"chat-default-state\">no</strong>"));
        assertTrue(off, off.contains("<td class=\"chat-replies\">off (default)</td>"));
        String bobsChannel = tab + "/" + people.get(1).id();
        assertEquals(
                302,
                admin.postForm(bobsChannel + "/replies", Map.of("on", "on")).status());
        assertTrue(admin.get(bobsChannel).body().contains("<strong id=\"chat-replies-state\">on</strong>"));
        assertTrue(admin.get(tab).body().contains("<td class=\"chat-replies\">on</td>"));
        assertEquals(
                302,
                admin.postForm(bobsChannel + "/replies", Map.of("on", "maybe")).status());
        assertTrue(admin.get(bobsChannel).body().contains("class=\"error\">on: must be on or off, not maybe</p>"));

        // The twins answer what their description says; a channel's twin has its messages.
        String description = admin.get("/api/openapi.json").body();
        String api = "/api/sessions/" + session + "/chat";
        String tabJson = admin.get(api).body();
        assertEquals(tabJson, List.of(), DescribedAnswer.problems(description, "GET", "/sessions/{id}/chat", tabJson));
        assertTrue(
                tabJson,
                tabJson.contains(
                        "\"channels\":[{\"participant\":\"" + people.get(1).id() + "\""));
        String channelJson = admin.get(api + "/" + ann.id()).body();
        assertEquals(
                channelJson,
                List.of(),
                DescribedAnswer.problems(description, "GET", "/sessions/{id}/chat/{participant}", channelJson));
        assertTrue(channelJson, channelJson.contains("\"text\":\"Hello <Ann> & welcome\""));

        // The overview and its twin, and the export's table, escaped as CSV.
        String overview = admin.get("/admin/chat").body();
        assertTrue(overview, overview.contains("<a href=\"/admin/sessions/" + session + "/chat\">" + session + "</a>"));
        String json = admin.get("/api/chat").body();
        assertTrue(json, json.contains("\"session\":\"" + session + "\"") && json.contains("\"unread\":0"));
        assertEquals(List.of(), DescribedAnswer.problems(description, "GET", "/chat", json));
        AdminHttp.Response csv = admin.get("/admin/sessions/" + session + "/tables/chat_messages.csv");
        assertEquals(csv.toString(), 200, csv.status());
        List<String> lines = csv.body().lines().toList();
        assertEquals(csv.body(), "session,participant,from,text,sent_at,read_at", lines.get(0));
        assertEquals(3, lines.size());
        assertTrue(lines.get(1), lines.get(1).startsWith(session + "," + ann.id() + ",admin,Hello <Ann> & welcome,"));
        assertTrue(
                lines.get(2),
                lines.get(2).startsWith(session + "," + people.get(1).id() + ",admin,\"Bob, are you there?\","));

        // Stopped: the pages, the action and the table are gone; participants' pages have no button; the host serves.
        assertTrue(DescribedAnswer.describes(description, "/sessions/{id}/chat/{participant}"));
        plugin.stop();
        assertFalse(DescribedAnswer.describes(admin.get("/api/openapi.json").body(), "/chat"));
        assertEquals(404, admin.get("/admin/chat").status());
        assertEquals(404, admin.get("/admin/sessions/" + session + "/chat").status());
        assertEquals(
                404,
                admin.postForm(
                                "/api/actions/chat.message",
                                Map.of("targets", ann.id(), "session", session, "text", "Still there?"))
                        .status());
        assertEquals(
                404,
                admin.get("/admin/sessions/" + session + "/tables/chat_messages.csv")
                        .status());
        String gone = visitor.get(page).body();
        assertFalse(gone, gone.contains("cohort-chat"));
        assertEquals(404, visitor.get(files + "chat-widget.js").status());
        assertTrue(gone, gone.contains("<h1>Only page</h1>"));
        assertEquals(200, admin.get("/admin/").status());
        assertEquals(200, visitor.get("/healthz").status());
    }
}
