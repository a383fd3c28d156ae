package io.cohort.distribution;

import static io.cohort.distribution.Players.awaitPage;
import static io.cohort.distribution.Players.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import io.cohort.testkit.prolific.ProlificEmulator;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/**
 * MTurkStudyIT on Prolific, in test mode against the emulator: the admin makes a study for a prisoner's-dilemma
 * session from the Prolific tab; two participants in headless Chromium find it on the emulator's participant site,
 * take it, land on {@code /prolific/start}, play the game to its end page and press "Finish and go back to Prolific",
 * which completes their submission on the emulator; the admin approves all and bonuses all (the game's own bonus
 * column) from the Payments tab, each after its preview. The emulator then shows each submission approved once and
 * bonused once, and the workspace's balance moved by rewards + bonuses + Prolific's fees, to the cent.
 */
class ProlificStudyIT {

    private static final long REWARD = 50;
    /** Prolific's service fee on rewards and bonuses (the emulator's default), VAT 0. */
    private static final BigDecimal FEE_PERCENT = new BigDecimal("33.33");

    @Test
    void aParticipantFromTheEmulatorIsPaidOnceForAPlayedGame() throws Exception {
        assumeTrue(Browser.available(), "no chromium and chromedriver on this machine");
        try (ProlificLab lab = new ProlificLab("ratePerSecond=20").start();
                Browser p1 = Players.participantBrowser();
                Browser p2 = Players.participantBrowser()) {
            Eventually.within(
                    Duration.ofSeconds(20),
                    "the prisoner's dilemma is registered",
                    () -> lab.cohort.stdout() + lab.cohort.stderr(),
                    log -> log.contains("Experiment 'prisoners-dilemma' from bundle"));
            long totalBefore = lab.emulator.totalBalanceCents();
            long availableBefore = lab.emulator.availableBalanceCents();
            String session = lab.session("prisoners-dilemma", Players.ALIKE_SETTINGS);
            String study = lab.makeStudy(session, "0.50", 2);
            assertEquals(
                    availableBefore - 2 * (REWARD + fee(REWARD)),
                    lab.emulator.availableBalanceCents(),
                    "publishing reserved both places' reward and fee");

            // Each participant opens the emulator's participant site as themselves and takes the study: Prolific
            // sends them to /prolific/start.
            String[] pids = {ProlificLab.pid("a1", 1), ProlificLab.pid("b2", 2)};
            Browser[] players = {p1, p2};
            for (int i = 0; i < 2; i++) {
                Browser b = players[i];
                b.open(lab.emulator.participantSite() + "?pid=" + pids[i]);
                String take =
                        "form[action='/participant/take']:has(input[name=study_id][value='" + study + "'])" + " button";
                until(
                        b,
                        "the study on the participant's list",
                        d -> !d.findElements(By.cssSelector(take)).isEmpty());
                b.find(take).click();
                awaitPage(b, "welcome");
                assertTrue(
                        b.driver().getCurrentUrl().matches(".*/p/" + session + "/[^/]+/"),
                        b.driver().getCurrentUrl());
            }
            Players.playAlike(players);
            // The end page: the study is finished; the button back to Prolific sits under it, in the content column.
            for (int i = 0; i < 2; i++) {
                Browser b = players[i];
                awaitPage(b, "end");
                until(
                        b,
                        "the end page's button back to Prolific",
                        d -> !d.findElements(By.cssSelector("main #prolific-finish button"))
                                .isEmpty());
                assertTrue(b.driver().findElements(By.id("cohort-next")).isEmpty(), "nothing more to click on");
                assertEquals(
                        "Finish and go back to Prolific",
                        b.find("#prolific-finish button").getText());
                b.find("#prolific-finish button").click();
                until(
                        b,
                        "the emulator's completion page",
                        d -> d.findElements(By.tagName("h1")).stream()
                                .anyMatch(h -> h.getText().equals("Submission completed")));
                assertTrue(
                        b.driver().getCurrentUrl().startsWith(lab.emulator.baseUrl() + "/submissions/complete?cc="),
                        b.driver().getCurrentUrl());
                String text = b.find("body").getText();
                assertTrue(
                        text.contains("You completed study A short study (" + study + ") with code ")
                                && text.contains(" is now AWAITING REVIEW. The researcher will review it."),
                        text);
            }
            List<ProlificEmulator.SubmissionView> submissions = lab.emulator.submissions(study);
            assertEquals(2, submissions.size(), submissions.toString());
            JsonNode people =
                    CrowdLab.read(lab.api().get("/api/sessions/" + session)).path("participants");
            assertEquals(2, people.size(), people.toString());
            for (JsonNode p : people) {
                assertEquals("SUBMITTED", p.path("status").asText(), p.toString());
            }

            // The admin: approve all submitted, then bonus all (auto), each previewed then confirmed.
            AdminHttp admin = lab.cohort.admin();
            admin.get("/admin/payments");
            // Each preview says what Prolific will charge: approvals were reserved at publishing, so the balance
            // stays; the bonuses take their amount and fee.
            long bonus = Players.ALIKE_POINTS * Players.ALIKE_CENTS_PER_POINT;
            long reserved = availableBefore - 2 * (REWARD + fee(REWARD));
            String approvals = lab.payOnTab(admin, Map.of("action", "approve-submitted"), "2");
            assertPreview(approvals, 2 * REWARD, 2 * fee(REWARD), reserved, reserved);
            String bonuses = lab.payOnTab(
                    admin,
                    Map.of("action", "bonus-auto", "reason", "Your winnings in the game", "min", "0.01", "max", "5.00"),
                    "2");
            assertPreview(bonuses, 2 * bonus, 2 * fee(bonus), reserved, reserved - 2 * (bonus + fee(bonus)));

            for (ProlificEmulator.SubmissionView s : lab.emulator.submissions(study)) {
                assertEquals("APPROVED", s.status(), s.toString());
                assertEquals(List.of(bonus), s.bonusPayments(), "bonused once with the game's bonus: " + s);
            }
            for (String pid : pids) {
                assertEquals(List.of(bonus), lab.emulator.bonusesPaid(pid), "bonuses paid to " + pid);
            }
            assertEquals(2, lab.emulator.payCalls(), "one pay call per bonus");
            assertEquals(2 * bonus, lab.emulator.bonusTotalCents());
            assertEquals("COMPLETED", lab.emulator.studyStatus(study), "nothing left to review");
            long spent = 2 * (REWARD + fee(REWARD)) + 2 * (bonus + fee(bonus));
            assertEquals(
                    totalBefore - spent,
                    lab.emulator.totalBalanceCents(),
                    "the total balance moved by rewards + bonuses + fees");
            // The reservation made at publishing went to the approvals, so the available balance moved as much.
            assertEquals(
                    availableBefore - spent,
                    lab.emulator.availableBalanceCents(),
                    "the available balance moved by rewards + bonuses + fees");
            String dashboard = admin.get("/admin/").body();
            int account = dashboard.indexOf("id=\"account-prolific\"");
            assertTrue(account >= 0, dashboard);
            String line = dashboard.substring(account, dashboard.indexOf("</p>", account));
            assertTrue(
                    line.contains("<strong class=\"balance\">£" + money(availableBefore - spent)),
                    "the dashboard shows Prolific's balance after: " + line);
            for (JsonNode p :
                    CrowdLab.read(lab.api().get("/api/sessions/" + session)).path("participants")) {
                assertEquals("BONUSED", p.path("status").asText(), p.toString());
                assertEquals(money(bonus), p.path("bonus").asText(), p.toString());
            }
        }
    }

    /** The Payments tab's preview shows these totals, fees and balances in the workspace's pounds. */
    private static void assertPreview(String page, long total, long fees, long before, long after) {
        for (String cell : List.of(
                "<td class=\"total\">£" + money(total) + "</td>",
                "<td class=\"fees\">£" + money(fees) + "</td>",
                "<td class=\"before\">£" + money(before) + "</td>",
                "<td class=\"after\">£" + money(after) + "</td>")) {
            assertTrue(page.contains(cell), cell + " in the preview: " + page);
        }
    }

    private static String money(long cents) {
        return String.format("%d.%02d", cents / 100, cents % 100);
    }

    /** Prolific's fee: 33.33 % of the amount, rounded half up to the cent. */
    private static long fee(long cents) {
        return BigDecimal.valueOf(cents)
                .multiply(FEE_PERCENT)
                .divide(BigDecimal.valueOf(100), 0, RoundingMode.HALF_UP)
                .longValueExact();
    }
}
