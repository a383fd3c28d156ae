package io.cohort.plugin.chat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.api.session.Participant;
import io.cohort.testhost.CohortHost;
import io.cohort.testkit.Browser;
import io.cohort.testkit.JsonSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;

/**
 * One node, two headless Chromiums: the admin's (on the session's Chat tab) and the participant's (on the
 * experiment's pages). What each does shows on the other's page without a reload.
 */
class ChatBrowserIT {

    static ChatNodes cluster;
    static Browser admin;
    static Browser participant;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Browser.available(), "needs chromium and chromium-driver");
        cluster = ChatNodes.start(1);
        participant = Browser.start();
        admin = Browser.start();
        // The admin's browser logs in through the login page, as a person does.
        login(admin);
    }

    @AfterEach
    void wideAgain() {
        if (participant != null) {
            participant.driver().manage().window().setSize(new Dimension(1280, 900));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        for (Browser b : new Browser[] {admin, participant}) {
            if (b != null) {
                b.close();
            }
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    static void send(Participant p, String text) throws Exception {
        try (JsonSocket socket = cluster.adminSocket(1)) {
            socket.send(
                    Map.of("type", "send", "session", p.sessionId(), "participants", List.of(p.id()), "text", text));
            assertEquals("sent", socket.next(m -> m.has("type")).path("type").asText());
        }
    }

    @Test
    void onAPhoneTheNextButtonStaysClickableWithTheChatShowing() throws Exception {
        Participant p = cluster.session(1).get(0);
        participant.driver().manage().window().setSize(new Dimension(375, 667));
        participant.open(cluster.page(1, p));
        participant.awaitText("First page");
        JavascriptExecutor js = (JavascriptExecutor) participant.driver();
        assertTrue(((Number) js.executeScript("return window.innerWidth")).intValue() <= 375);

        send(p, "Take your time.");
        WebElement chat = participant.find("#cohort-chat-button");
        participant.await(5, d -> chat.isDisplayed());
        // The page's full-width Next button scrolled to the bottom of the screen, as a click scrolls it: the chat
        // button leaves it free.
        WebElement next = participant.find("#cohort-next");
        js.executeScript("arguments[0].scrollIntoView({block: 'end'})", next);
        assertFalse((Boolean) js.executeScript("""
                        const a = arguments[0].getBoundingClientRect(), b = arguments[1].getBoundingClientRect();
                        return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;""", next, chat), "the chat button covers the Next button");
        next.click();
        participant.awaitText("Second page");
        // The chat came along to the next page, with its message.
        chatButton().click();
        assertEquals(
                "Take your time.",
                participant.awaitElement("#cohort-chat .cohort-chat-log li").getText());
    }

    @Test
    void theAdminAndTheParticipantChatBothWaysAndReadingClearsTheCount() throws Exception {
        List<Participant> people = cluster.session(2);
        Participant ann = people.get(0);
        String tab = cluster.url(1) + "admin/sessions/" + ann.sessionId() + "/chat";
        participant.open(cluster.page(1, ann));
        participant.awaitText("First page");
        // The socket's hello has come (no channel: the box is disabled) and the button stays hidden.
        participant.await(5, d -> !participant.find("#cohort-chat textarea").isEnabled());
        assertFalse(participant.find("#cohort-chat-button").isDisplayed());

        // The admin writes to Ann from the tab's form; the list shows her channel.
        admin.open(tab);
        admin.awaitElement("#chat-page");
        admin.find("#chat-send input[value='" + ann.id() + "']").click();
        admin.find("#chat-send textarea").sendKeys("Hello Ann, all fine?");
        admin.find("#chat-send button[type=submit]").click();
        admin.awaitText("Sent.");
        assertEquals(
                "0",
                admin.awaitElement("#chat-channels tr[data-participant='" + ann.id() + "'] .chat-unread")
                        .getText());

        // Ann's open page gets the button with its dot, and the message, with no reload.
        WebElement button = participant.find("#cohort-chat-button");
        participant.await(5, d -> button.isDisplayed());
        assertTrue(participant.find("#cohort-chat .cohort-chat-dot").isDisplayed());
        button.click();
        assertEquals(
                "Hello Ann, all fine?",
                participant.awaitElement("#cohort-chat .cohort-chat-log li").getText());
        participant.find("#cohort-chat textarea").sendKeys("Yes, thanks!");
        participant.find("#cohort-chat form button").click();

        // The admin's open list counts it unread, live; so does the session monitor's Chat column.
        admin.await(
                5,
                d -> admin.find("#chat-channels tr[data-participant='" + ann.id() + "'] .chat-unread")
                        .getText()
                        .equals("1"));
        assertEquals(
                "Yes, thanks!",
                admin.find("#chat-channels tr[data-participant='" + ann.id() + "'] .chat-last")
                        .getText());
        try (Browser monitor = Browser.start()) {
            login(monitor);
            monitor.open(cluster.url(1) + "admin/sessions/" + ann.sessionId());
            String cell = "td[data-cell=chat] a[href='/admin/sessions/" + ann.sessionId() + "/chat/" + ann.id() + "']";
            monitor.await(10, d -> monitor.awaitElement(cell).getText().equals(ChatColumn.ICON + " 1"));

            // Reading the channel clears the count on the list and in the monitor, with no reload.
            admin.find("#chat-channels tr[data-participant='" + ann.id() + "'] a.chat-open")
                    .click();
            admin.awaitText("Yes, thanks!");
            assertEquals(
                    2,
                    admin.driver().findElements(By.cssSelector("#chat-log li")).size());
            monitor.await(10, d -> monitor.find(cell).getText().equals(ChatColumn.ICON));

            // The admin answers on the channel's page; Ann's window shows it at once.
            admin.find("#chat-send textarea").sendKeys("Good <b>to hear</b>.");
            admin.find("#chat-send button[type=submit]").click();
            participant.await(
                    5,
                    d -> d.findElements(By.cssSelector("#cohort-chat .cohort-chat-log li"))
                                    .size()
                            == 3);
            List<WebElement> items =
                    participant.driver().findElements(By.cssSelector("#cohort-chat .cohort-chat-log li"));
            assertEquals("Good <b>to hear</b>.", items.get(2).getText());
            admin.await(5, d -> d.findElements(By.cssSelector("#chat-log li")).size() == 3);

            // The monitor's button writes to both chosen participants at once: Ann sees it, Bob's channel opens.
            Participant bob = people.get(1);
            for (Participant p : people) {
                monitor.find("#monitor input[name=participants][value='" + p.id() + "']")
                        .click();
            }
            monitor.find("input[name='chat.message.text']").sendKeys("Five minutes left.");
            monitor.find("span[data-action='chat.message'] button").click();
            monitor.awaitText("Chat message sent to 2 participants.");
            participant.await(
                    5,
                    d -> d.findElements(By.cssSelector("#cohort-chat .cohort-chat-log li"))
                                    .size()
                            == 4);
            try (JsonSocket widget = cluster.widget(1, bob)) {
                widget.send(Map.of("type", "hello", "after", 0));
                JsonNode hello = widget.next(m -> m.path("type").asText().equals("hello"));
                assertTrue(hello.path("channel").asBoolean());
                assertEquals(
                        "Five minutes left.",
                        hello.path("messages").get(0).path("text").asText());
            }
        }
    }

    @Test
    void repliesOffDisablesTheParticipantsBoxAndOnAgainEnablesIt() throws Exception {
        Participant bob = cluster.session(1).get(0);
        send(bob, "Please read the instructions.");
        participant.open(cluster.page(1, bob));
        chatButton().click();
        WebElement box = participant.awaitElement("#cohort-chat textarea");
        participant.await(5, d -> box.isEnabled());

        admin.open(cluster.url(1) + "admin/sessions/" + bob.sessionId() + "/chat/" + bob.id());
        admin.awaitElement("#chat-replies-toggle").click();
        admin.awaitText("Replies of");
        assertEquals("off", admin.find("#chat-replies-state").getText());
        participant.await(5, d -> !box.isEnabled());
        assertEquals(
                "The experimenter is not taking replies.",
                participant.find("#cohort-chat .cohort-chat-notice").getText());
        assertFalse(participant.find("#cohort-chat form button").isEnabled());

        admin.find("#chat-replies-toggle").click();
        admin.awaitText("Replies of");
        participant.await(5, d -> box.isEnabled());
        assertFalse(participant.find("#cohort-chat .cohort-chat-notice").isDisplayed());
    }

    @Test
    void stoppingThePluginTakesTheButtonOffAnOpenPageAndStartingBringsItBack() throws Exception {
        Participant cleo = cluster.session(1).get(0);
        send(cleo, "Still with us?");
        participant.open(cluster.page(1, cleo));
        participant.await(5, d -> participant.find("#cohort-chat-button").isDisplayed());
        JavascriptExecutor js = (JavascriptExecutor) participant.driver();
        js.executeScript("window.notReloaded = true;");
        // The admin watches the session's monitor: its Chat column goes and comes back with the plugin.
        admin.open(cluster.url(1) + "admin/sessions/" + cleo.sessionId());
        admin.awaitElement("td[data-cell=chat] a[href$='/chat/" + cleo.id() + "']");

        cluster.plugins.get(0).stop();
        participant.await(10, d -> d.findElements(By.id("cohort-chat")).isEmpty());
        admin.await(
                10,
                d -> d.findElements(By.cssSelector("th[data-column=chat], td[data-cell=chat]"))
                        .isEmpty());
        participant.await(5, d ->
                !(Boolean) js.executeScript("return document.documentElement.classList.contains('cohort-chat-on')"));
        assertEquals(Boolean.TRUE, js.executeScript("return window.notReloaded === true"));

        cluster.plugins.get(0).start();
        ChatNodes.awaitChat(cluster.node(1));
        participant.await(10, d -> participant.find("#cohort-chat-button").isDisplayed());
        participant.find("#cohort-chat-button").click();
        assertEquals(
                "Still with us?",
                participant.awaitElement("#cohort-chat .cohort-chat-log li").getText());
        assertEquals(Boolean.TRUE, js.executeScript("return window.notReloaded === true"));
        admin.awaitElement("td[data-cell=chat] a[href$='/chat/" + cleo.id() + "']");
    }

    /** The participant's chat button once it shows: the page has it hidden until the socket's hello. */
    static WebElement chatButton() {
        return participant.await(10, d -> {
            WebElement button = participant.find("#cohort-chat-button");
            return button.isDisplayed() ? button : null;
        });
    }

    static void login(Browser b) {
        b.open(cluster.url(1) + "login");
        b.find("input[name=username]").sendKeys("admin");
        b.find("input[name=password]").sendKeys(CohortHost.PASSWORD);
        b.find("form button[type=submit]").click();
        b.await(10, d -> d.getCurrentUrl().endsWith("/admin/"));
    }
}
