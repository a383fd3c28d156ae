package io.cohort.distribution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cohort.testkit.Browser;
import io.cohort.testkit.Folders;
import io.cohort.testkit.RunningCohort;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Participants in headless Chromium, and a home with the distribution's demos, for the study ITs. */
final class Players {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Whatever goes through the database's LISTEN/NOTIFY path (moves, releases, commands) gets this long. */
    static final Duration LIVE = Duration.ofSeconds(15);

    private Players() {}

    /**
     * Runs in every participant window before the page's own scripts: notes when the page's WebSocket is open
     * (an admin's command reaches only a connected page, so the test waits for it rather than guessing), and keeps
     * every message that socket received in sessionStorage (it outlives the page) with the page it arrived on, so
     * the test can tell a wait page released over the socket from one released by cohort.js's fallback poll.
     */
    static final String SOCKET_PROBE = """
            (() => {
              const Native = window.WebSocket;
              if (!Native) { return; }
              window.WebSocket = class extends Native {
                constructor(...args) {
                  super(...args);
                  this.addEventListener('open', () => { window.__socketOpen = true; });
                  this.addEventListener('message', e => {
                    const seen = JSON.parse(sessionStorage.getItem('__received') || '[]');
                    seen.push({page: window.cohort ? window.cohort.pageName : null, data: e.data});
                    sessionStorage.setItem('__received', JSON.stringify(seen));
                  });
                }
              };
            })();
            """;

    // ---- participants

    static Browser participantBrowser() {
        Browser browser = Browser.start();
        ((ChromeDriver) browser.driver())
                .executeCdpCommand(
                        "Page.addScriptToEvaluateOnNewDocument", Map.<String, Object>of("source", SOCKET_PROBE));
        return browser;
    }

    /** Waits until the browser shows the participant page {@code name}, fully loaded. */
    static void awaitPage(Browser b, String name) {
        until(
                b,
                "page " + name,
                d -> name.equals(js(
                        b,
                        "return document.readyState === 'complete' && window.cohort"
                                + " ? window.cohort.pageName : null")));
    }

    static void awaitSocket(Browser b) {
        until(b, "the page's socket is open", d -> isTrue(js(b, "return window.__socketOpen === true")));
    }

    static void choose(Browser b, int round, String choice) {
        b.find("input[name=choice_" + round + "][value=" + choice + "]").click();
        next(b);
    }

    static void next(Browser b) {
        b.find("#cohort-next").click();
    }

    /** What the page's sockets received so far, as "page type" lines. */
    static List<String> received(Browser b) {
        Object json = js(b, "return sessionStorage.getItem('__received') || '[]';");
        try {
            List<String> out = new ArrayList<>();
            for (JsonNode m : JSON.readTree((String) json)) {
                out.add(m.path("page").asText() + " "
                        + JSON.readTree(m.path("data").asText()).path("type").asText());
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String letter(String choice) {
        return choice.equals("cooperate") ? "C" : "D";
    }

    // ---- the prisoner's dilemma of the crowd study ITs

    static final int ALIKE_CENTS_PER_POINT = 7;
    /** Both players choose alike each round, so the totals do not depend on who is P1: CC 4, DD 1, CC 4 → 9 each. */
    static final String ALIKE_SETTINGS =
            "{\"payoff\": {\"CC\": [4, 4], \"CD\": [0, 6], \"DC\": [6, 0], \"DD\": [1, 1]}," + " \"centsPerPoint\": "
                    + ALIKE_CENTS_PER_POINT + "}";

    static final String[] ALIKE_CHOICES = {"cooperate", "defect", "cooperate"};
    /** What each player scores with {@link #ALIKE_CHOICES} under {@link #ALIKE_SETTINGS}. */
    static final long ALIKE_POINTS = 9;

    /**
     * The two players of one group, both on the welcome page of a prisoner's dilemma with {@link #ALIKE_SETTINGS},
     * play its three rounds choosing {@link #ALIKE_CHOICES} alike, up to the end page.
     */
    static void playAlike(Browser... players) {
        for (Browser b : players) {
            next(b);
        }
        for (int round = 1; round <= ALIKE_CHOICES.length; round++) {
            for (Browser b : players) {
                awaitPage(b, "decide-" + round);
                choose(b, round, ALIKE_CHOICES[round - 1]);
            }
            for (Browser b : players) {
                awaitPage(b, "result-" + round);
                next(b);
            }
        }
    }

    // ---- plumbing

    static <T> T until(Browser b, String what, Function<WebDriver, T> condition) {
        try {
            // A page that moves on while the condition reads it leaves stale elements: read again.
            return new WebDriverWait(b.driver(), LIVE, Duration.ofMillis(100))
                    .ignoring(StaleElementReferenceException.class)
                    .until(condition::apply);
        } catch (TimeoutException e) {
            String body = b.driver().findElements(By.tagName("body")).stream()
                    .findFirst()
                    .map(WebElement::getText)
                    .orElse("");
            throw new AssertionError(
                    what + ": not within " + LIVE + "; the browser is at "
                            + b.driver().getCurrentUrl() + " showing:\n"
                            + body.substring(0, Math.min(body.length(), 2000)),
                    e);
        }
    }

    static Object js(Browser b, String script) {
        return ((JavascriptExecutor) b.driver()).executeScript(script);
    }

    static boolean isTrue(Object value) {
        return Boolean.TRUE.equals(value);
    }

    /** A home folder with what the distribution ships: experiments/ (Stroop) and deploy/ (the prisoner's dilemma). */
    static Path homeWithDemos(Path distribution) throws IOException {
        String homes = System.getProperty(RunningCohort.HOMES_PROPERTY);
        Path home = homes == null || homes.isBlank()
                ? Files.createTempDirectory("cohort-home-")
                : Files.createTempDirectory(Files.createDirectories(Path.of(homes)), "cohort-home-");
        copyTree(distribution.resolve("experiments"), home.resolve("experiments"));
        Files.createDirectories(home.resolve("deploy"));
        try (Stream<Path> jars = Files.list(distribution.resolve("deploy"))) {
            for (Path jar : jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.copy(jar, home.resolve("deploy").resolve(jar.getFileName()));
            }
        }
        return home;
    }

    static void copyTree(Path from, Path to) throws IOException {
        Folders.copy(from, to);
    }
}
