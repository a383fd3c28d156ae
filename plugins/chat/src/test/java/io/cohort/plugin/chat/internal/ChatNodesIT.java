package io.cohort.plugin.chat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.session.Participant;
import io.cohort.testkit.Browser;
import io.cohort.testkit.JsonSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * Two nodes on one database, the chat plugin on both: what an admin writes on node 1 reaches a participant's page
 * served by node 2 (headless Chromium), and the answer comes back to the admin on node 1; the limits hold whichever
 * node a message comes through.
 */
class ChatNodesIT {

    static ChatNodes cluster;
    static Browser browser;

    @BeforeAll
    static void start() throws Exception {
        cluster = ChatNodes.start(2);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static Browser browser() {
        assumeTrue(Browser.available(), "needs chromium and chromium-driver");
        if (browser == null) {
            browser = Browser.start();
        }
        return browser;
    }

    static JsonNode send(JsonSocket admin, Participant p, String text) throws Exception {
        admin.send(Map.of("type", "send", "session", p.sessionId(), "participants", List.of(p.id()), "text", text));
        return admin.next(m -> m.path("type").asText().matches("sent|error"));
    }

    @Test
    void anAdminOnNodeOneReachesAPageOnNodeTwoAndTheAnswerComesBack() throws Exception {
        Participant ann = cluster.session(2).get(0);
        Browser b = browser();
        b.open(cluster.page(2, ann));
        b.awaitText("First page");
        WebElement button = b.find("#cohort-chat-button");
        assertFalse(button.isDisplayed(), "no chat before the experimenter writes");

        try (JsonSocket admin = cluster.adminSocket(1)) {
            admin.send(Map.of("type", "watch", "session", ann.sessionId()));
            assertEquals(
                    0,
                    admin.next(m -> m.path("type").asText().equals("watching"))
                            .path("channels")
                            .size());
            // Markup in a message is text on the page, never markup.
            assertEquals(
                    1,
                    send(admin, ann, "Hello <b>Ann</b>, <script>alert(1)</script>")
                            .path("count")
                            .asInt());

            b.await(5, d -> button.isDisplayed());
            b.await(5, d -> b.find("#cohort-chat .cohort-chat-dot").isDisplayed());
            button.click();
            WebElement first = b.awaitElement("#cohort-chat .cohort-chat-log li");
            assertEquals("Hello <b>Ann</b>, <script>alert(1)</script>", first.getText());
            assertTrue(b.driver()
                    .findElements(By.cssSelector("#cohort-chat .cohort-chat-log b"))
                    .isEmpty());
            assertFalse(b.find("#cohort-chat .cohort-chat-dot").isDisplayed(), "opening the window reads it");

            b.find("#cohort-chat textarea").sendKeys("Hi! Which page am I on?");
            b.find("#cohort-chat form button").click();
            JsonNode reply = admin.next(m -> m.path("type").asText().equals("message")
                    && m.path("message").path("from").asText().equals("participant"));
            assertEquals(
                    "Hi! Which page am I on?",
                    reply.path("message").path("text").asText());
            assertEquals(ann.id(), reply.path("message").path("participant").asText());
            assertEquals(1, reply.path("unread").asInt(), "the admin has not read it yet");
            b.await(
                    5,
                    d -> b.find("#cohort-chat textarea").getAttribute("value").isEmpty());
            assertEquals(
                    2,
                    b.driver()
                            .findElements(By.cssSelector("#cohort-chat .cohort-chat-log li"))
                            .size());

            // The admin reads it on node 1: the count clears for every admin page, on node 2 too.
            try (JsonSocket other = cluster.adminSocket(2)) {
                other.send(Map.of("type", "watch", "session", ann.sessionId()));
                JsonNode watching = other.next(m -> m.path("type").asText().equals("watching"));
                assertEquals(1, watching.path("channels").get(0).path("unread").asInt(), watching.toString());
                admin.send(Map.of("type", "read", "session", ann.sessionId(), "participant", ann.id()));
                JsonNode cleared = other.next(m -> m.path("type").asText().equals("unread"));
                assertEquals(ann.id(), cleared.path("participant").asText());
                assertEquals(0, cleared.path("count").asInt());
            }
        }
    }

    @Test
    void aPageThatWasAwayCatchesUpFromTheHistory() throws Exception {
        Participant bob = cluster.session(1).get(0);
        try (JsonSocket admin = cluster.adminSocket(1)) {
            JsonNode first = send(admin, bob, "one");
            assertEquals("sent", first.path("type").asText());
            send(admin, bob, "two");
            send(admin, bob, "three");
        }
        try (JsonSocket widget = cluster.widget(2, bob)) {
            widget.send(Map.of("type", "hello", "after", 0));
            JsonNode all = widget.next(m -> m.path("type").asText().equals("hello"));
            assertTrue(all.path("channel").asBoolean());
            assertTrue(all.path("replies").asBoolean());
            assertEquals(3, all.path("unread").asInt());
            List<String> texts = texts(all);
            assertEquals(List.of("one", "two", "three"), texts);
            long second = all.path("messages").get(1).path("id").asLong();
            widget.send(Map.of("type", "hello", "after", second));
            assertEquals(
                    List.of("three"),
                    texts(widget.next(m -> m.path("type").asText().equals("hello"))));
        }
    }

    @Test
    void oneMessageToSeveralReachesEachOfThemOnly() throws Exception {
        List<Participant> people = cluster.session(3);
        try (JsonSocket first = cluster.widget(2, people.get(0));
                JsonSocket second = cluster.widget(2, people.get(1));
                JsonSocket third = cluster.widget(1, people.get(2));
                JsonSocket admin = cluster.adminSocket(1)) {
            for (JsonSocket w : List.of(first, second, third)) {
                w.send(Map.of("type", "hello", "after", 0));
                assertFalse(w.next(m -> m.path("type").asText().equals("hello"))
                        .path("channel")
                        .asBoolean());
            }
            admin.send(Map.of(
                    "type",
                    "send",
                    "session",
                    people.get(0).sessionId(),
                    "participants",
                    List.of(people.get(0).id(), people.get(1).id()),
                    "text",
                    "The next part starts in five minutes."));
            assertEquals(
                    2,
                    admin.next(m -> m.path("type").asText().equals("sent"))
                            .path("count")
                            .asInt());
            for (int i = 0; i < 2; i++) {
                JsonNode got = List.of(first, second)
                        .get(i)
                        .next(m -> m.path("type").asText().equals("message"));
                assertEquals(
                        people.get(i).id(),
                        got.path("message").path("participant").asText());
                assertEquals(
                        "The next part starts in five minutes.",
                        got.path("message").path("text").asText());
                assertTrue(got.path("replies").asBoolean());
            }
            third.send(Map.of("type", "hello", "after", 0));
            JsonNode left = third.next(m -> m.path("type").asText().equals("hello"));
            assertFalse(left.path("channel").asBoolean(), left.toString());
            assertEquals(0, left.path("messages").size());
            assertEquals(0, left.path("unread").asInt(), left.toString());
        }
    }

    static List<String> texts(JsonNode hello) {
        List<String> texts = new java.util.ArrayList<>();
        hello.path("messages").forEach(m -> texts.add(m.path("text").asText()));
        return texts;
    }

    @Test
    void theLimitsHoldOnEveryNode() throws Exception {
        Participant cleo = cluster.session(1).get(0);
        try (JsonSocket one = cluster.widget(1, cleo);
                JsonSocket two = cluster.widget(2, cleo)) {
            one.send(Map.of("type", "send", "text", "Can I write first?"));
            assertEquals(
                    "There is no chat with the experimenter yet.",
                    one.next(m -> m.path("type").asText().equals("error"))
                            .path("message")
                            .asText());
            try (JsonSocket admin = cluster.adminSocket(1)) {
                send(admin, cleo, "Write to me if anything is unclear.");
                JsonNode tooLong = send(admin, cleo, "x".repeat(2001));
                assertEquals(
                        "text: the message is 2,001 characters long; at most 2,000 are allowed",
                        tooLong.path("message").asText());
            }
            one.send(Map.of("type", "send", "text", "y".repeat(2001)));
            assertEquals(
                    "text: the message is 2,001 characters long; at most 2,000 are allowed",
                    one.next(m -> m.path("type").asText().equals("error"))
                            .path("message")
                            .asText());
            // Ten a minute, counted in the database: five through each node, then the eleventh is refused on both.
            for (int i = 1; i <= 10; i++) {
                JsonSocket via = i % 2 == 0 ? two : one;
                via.send(Map.of("type", "send", "text", "question " + i));
                int n = i;
                // Both sockets are Cleo's: each hears every message of hers, so look for this one or a refusal.
                JsonNode sent = via.next(m -> m.path("type").asText().equals("error")
                        || m.path("message").path("text").asText().equals("question " + n));
                assertEquals("message", sent.path("type").asText(), sent.toString());
            }
            for (JsonSocket via : List.of(one, two)) {
                via.send(Map.of("type", "send", "text", "one more"));
                assertEquals(
                        "At most 10 messages a minute: please wait a moment before sending again.",
                        via.next(m -> m.path("type").asText().equals("error"))
                                .path("message")
                                .asText());
            }
        }
    }

    @Test
    void aSocketWithoutTheParticipantsTokenIsRefused() throws Exception {
        Participant dan = cluster.session(1).get(0);
        try (JsonSocket nobody = JsonSocket.open(cluster.url(2), "chat/participant", null)) {
            assertEquals(1001, nobody.closed.get(5, java.util.concurrent.TimeUnit.SECONDS));
        }
        try (JsonSocket wrong = JsonSocket.open(
                cluster.url(2), "chat/participant?session=" + dan.sessionId() + "&token=not-" + dan.token(), null)) {
            assertEquals(4404, wrong.closed.get(5, java.util.concurrent.TimeUnit.SECONDS));
        }
        try (JsonSocket anonymous = JsonSocket.open(cluster.url(1), "chat/admin", null)) {
            assertEquals(4401, anonymous.closed.get(5, java.util.concurrent.TimeUnit.SECONDS));
        }
    }
}
