package io.cohort.distribution;

import static io.cohort.distribution.Players.awaitPage;
import static io.cohort.distribution.Players.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * Issue 4's study from end to end in sandbox mode: the admin posts a HIT for a prisoner's-dilemma session from the
 * MTurk tab; two workers in headless Chromium sign in on the emulator's worker site, accept it, land on
 * {@code /mturk/start}, play the game to its end page and submit the HIT back to MTurk; the admin approves all and
 * bonuses all (the game's own bonus column) from the Payments tab, each after its preview. The emulator then holds one
 * bonus per worker, and its balance moved by reward + bonus + fees, to the cent.
 */
class MTurkStudyIT {

    private static final long REWARD = 50;

    @Test
    void aWorkerFromTheEmulatorIsPaidOnceForAPlayedGame() throws Exception {
        assumeTrue(Browser.available(), "no chromium and chromedriver on this machine");
        try (MTurkLab lab = new MTurkLab("ratePerSecond=20").start();
                Browser w1 = Players.participantBrowser();
                Browser w2 = Players.participantBrowser()) {
            Eventually.within(
                    Duration.ofSeconds(20),
                    "the prisoner's dilemma is registered",
                    () -> lab.cohort.stdout() + lab.cohort.stderr(),
                    log -> log.contains("Experiment 'prisoners-dilemma' from bundle"));
            long balanceBefore = lab.emulator.availableBalanceCents();
            String session = lab.session("prisoners-dilemma", Players.ALIKE_SETTINGS);
            String hit = lab.postHit(session, "0.50", 2);

            // Each worker signs in on the emulator's worker site and accepts the HIT: MTurk sends them to /mturk/start.
            String[] workers = {"AWORKERONE0001", "AWORKERTWO0002"};
            Browser[] players = {w1, w2};
            for (int i = 0; i < 2; i++) {
                Browser b = players[i];
                b.open(lab.emulator.workerSite().toString());
                b.find("input[name=workerId]").sendKeys(workers[i]);
                b.find("form[action='/worker/signin'] button").click();
                String accept = "form[action='/worker/hits/" + hit + "/accept'] button";
                until(
                        b,
                        "the signed-in worker's list of HITs",
                        d -> !d.findElements(By.cssSelector(accept)).isEmpty());
                b.find(accept).click();
                awaitPage(b, "welcome");
                assertTrue(
                        b.driver().getCurrentUrl().matches(".*/p/" + session + "/[^/]+/"),
                        b.driver().getCurrentUrl());
            }
            Players.playAlike(players);
            // The game's last page asks nothing: it is the end page. Reaching it finished the study (no further
            // click), and the HIT's submit button sits under it, in the content column.
            for (int i = 0; i < 2; i++) {
                Browser b = players[i];
                awaitPage(b, "end");
                until(
                        b,
                        "the end page's submit button",
                        d -> !d.findElements(By.cssSelector("main #mturk-submit button"))
                                .isEmpty());
                assertTrue(b.driver().findElements(By.id("cohort-next")).isEmpty(), "nothing more to click on");
                b.find("#mturk-submit button").click();
                until(
                        b,
                        "the emulator took the submission",
                        d -> d.findElements(By.tagName("h1")).stream()
                                .anyMatch(h -> h.getText().equals("Submitted")));
            }
            JsonNode people =
                    MTurkLab.read(lab.api().get("/api/sessions/" + session)).path("participants");
            assertEquals(2, people.size(), people.toString());

            // The admin: approve all submitted, then bonus all (auto), each previewed then confirmed.
            AdminHttp admin = lab.cohort.admin();
            admin.get("/admin/payments");
            lab.payOnTab(admin, Map.of("action", "approve-submitted"), "2");
            lab.payOnTab(
                    admin,
                    Map.of("action", "bonus-auto", "reason", "Your winnings in the game", "min", "0.01", "max", "5.00"),
                    "2");

            long bonus = Players.ALIKE_POINTS * Players.ALIKE_CENTS_PER_POINT;
            for (String worker : workers) {
                assertEquals(1, lab.emulator.bonusCount(worker), "bonuses paid to " + worker);
            }
            assertEquals(2 * bonus, lab.emulator.bonusTotalCents());
            long spent = 2 * (REWARD + fee(REWARD)) + 2 * (bonus + fee(bonus));
            assertEquals(
                    balanceBefore - spent,
                    lab.emulator.availableBalanceCents(),
                    "the balance moved by rewards + bonuses + fees");
            long left = balanceBefore - spent;
            assertTrue(
                    admin.get("/admin/")
                            .body()
                            .contains("<strong class=\"balance\">$" + String.format("%d.%02d", left / 100, left % 100)),
                    "the dashboard shows the balance after");
            for (JsonNode p :
                    MTurkLab.read(lab.api().get("/api/sessions/" + session)).path("participants")) {
                assertEquals("BONUSED", p.path("status").asText(), p.toString());
                assertEquals(
                        String.format("%d.%02d", bonus / 100, bonus % 100),
                        p.path("bonus").asText(),
                        p.toString());
            }
        }
    }

    /** MTurk's fee: 20 % of the amount, at least a cent (HITs of fewer than ten assignments). */
    private static long fee(long cents) {
        return Math.max(1, Math.round(cents * 0.2));
    }
}
