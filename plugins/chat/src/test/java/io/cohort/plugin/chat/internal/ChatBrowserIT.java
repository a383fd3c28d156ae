package io.cohort.plugin.chat.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cohort.api.session.Participant;
import io.cohort.testkit.Browser;
import io.cohort.testkit.JsonSocket;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
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
        admin.open(cluster.node(1).url() + "login");
        admin.find("input[name=username]").sendKeys("admin");
        admin.find("input[name=password]").sendKeys(ChatNodes.PASSWORD);
        admin.find("form button[type=submit]").click();
        admin.await(10, d -> d.getCurrentUrl().endsWith("/admin/"));
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
        participant.awaitElement("#cohort-chat-button").click();
        assertEquals(
                "Take your time.",
                participant.awaitElement("#cohort-chat .cohort-chat-log li").getText());
    }
}
