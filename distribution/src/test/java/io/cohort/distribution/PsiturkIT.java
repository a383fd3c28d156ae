package io.cohort.distribution;

import static io.cohort.distribution.Players.until;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.Browser;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import software.amazon.awssdk.services.mturk.model.Assignment;

/**
 * An unmodified psiTurk project dropped into {@code experiments/} of a real install, run through the MTurk emulator's
 * worker site as psiTurk runs on MTurk: the preview shows the project's own ad, accepting shows its "begin" button,
 * the task runs in psiTurk's pop-up window, and the end submits the assignment to MTurk.
 */
class PsiturkIT {

    /** The project the platform's tests run, shared rather than copied (the ITs run in the distribution module). */
    static final Path PROJECT = Path.of("../platform/src/test/resources/psiturk/colours");

    @Test
    void aPsiturkProjectRunsThroughTheWorkerSiteFromAdToSubmittedAssignment() throws Exception {
        assumeTrue(Browser.available(), "no chromium and chromedriver on this machine");
        try (MTurkLab lab = new MTurkLab("")) {
            Players.copyTree(PROJECT, lab.builder.home().resolve("experiments/colours"));
            lab.start();
            String session = lab.session("colours", "{}");
            // The session page links to the MTurk plugin's form, filled in from config.txt.
            AdminHttp admin = lab.cohort.admin();
            java.util.regex.Matcher link = java.util.regex.Pattern.compile("id=\"psiturk-post-hit\" href=\"([^\"]+)\"")
                    .matcher(admin.get("/admin/sessions/" + session).body());
            assertTrue(link.find(), "a link to post the HIT");
            String form = admin.get(link.group(1).replace("&amp;", "&")).body();
            assertTrue(form.contains("name=\"title\" required maxlength=\"128\" value=\"Colour judgements\""), form);
            assertTrue(
                    form.contains("name=\"minApprovalRate\" type=\"number\" min=\"0\" max=\"100\" value=\"95\""), form);
            assertTrue(form.contains("name=\"countries\" value=\"US\""), form);
            assertTrue(form.contains("name=\"durationMinutes\" type=\"number\" min=\"1\" required value=\"60\""), form);
            // The MTurk page's twin in the API: its model, and its "Post a HIT" action.
            AdminHttp api = lab.api();
            JsonNode mturkPage = MTurkLab.read(api.get("/api/mturk"));
            assertEquals("10000.00", mturkPage.path("page").path("balance").asText(), mturkPage.toString());
            JsonNode posted = MTurkLab.read(api.postForm("/api/mturk/post", MTurkLab.hitForm(session, "1.00", 1)));
            assertEquals("/admin/mturk", posted.path("redirect").asText(), posted.toString());
            assertTrue(posted.path("page").path("flash").path("ok").asBoolean(), posted.toString());
            String hit = lab.requester()
                    .listHITs(b -> b.maxResults(10))
                    .hiTs()
                    .get(0)
                    .hitId();
            assertTrue(
                    posted.path("page").path("flash").path("message").asText().contains(hit), posted.toString());
            // A refused action answers with the page's error, and posts nothing.
            JsonNode refused = MTurkLab.read(api.postForm("/api/mturk/post", java.util.Map.of("sessionId", session)));
            assertFalse(refused.path("page").path("flash").path("ok").asBoolean(true), refused.toString());
            assertEquals(
                    1, lab.requester().listHITs(b -> b.maxResults(10)).hiTs().size());
            // The Campaigns and Dump pages have theirs too.
            assertTrue(MTurkLab.read(api.get("/api/campaigns")).has("page"));
            byte[] dump = api.getBytes("/api/dump");
            assertEquals(0x1f, dump[0] & 0xff, "a gzip'd dump");
            assertEquals(0x8b, dump[1] & 0xff, "a gzip'd dump");
            String worker = "APSITURKWORKER1";
            try (Browser w = Browser.start()) {
                WebDriver d = w.driver();
                w.open(lab.emulator.workerSite().toString());
                w.find("input[name=workerId]").sendKeys(worker);
                w.find("form[action='/worker/signin'] button").click();
                String accept = "form[action='/worker/hits/" + hit + "/accept'] button";
                // Signed in (the HIT list shows) before anything else is opened.
                until(
                        w,
                        "the HIT on the worker site",
                        x -> !x.findElements(By.cssSelector(accept)).isEmpty());
                // The preview is the project's ad.html, in its "not accepted yet" part.
                w.open(lab.emulator.workerSite().resolve("/worker/hits/" + hit).toString());
                assertEquals("Call for participants", w.awaitElement("#preview").getText());
                w.open(lab.emulator.workerSite().toString());
                until(
                        w,
                        "the HIT list again",
                        x -> !x.findElements(By.cssSelector(accept)).isEmpty());
                w.find(accept).click();
                w.awaitElement("#accepted");
                assertTrue(d.getCurrentUrl().contains("/ad?hitId=" + hit), d.getCurrentUrl());
                String ad = d.getWindowHandle();
                w.find("#begin").click();
                d.switchTo()
                        .window(w.await(
                                10,
                                x -> x.getWindowHandles().stream()
                                        .filter(h -> !h.equals(ad))
                                        .findFirst()
                                        .orElse(null)));
                w.awaitElement("#agree").click();
                w.awaitElement("#next").click();
                w.awaitElement("#start").click();
                w.awaitElement("#yes").click();
                w.find("#no").click();
                w.find("#yes").click();
                w.awaitElement("#age").sendKeys("41");
                w.find("#finish").click();
                // Cohort's end page, where the MTurk plugin's button hands the assignment in.
                w.awaitElement("#mturk-submit button").click();
                until(
                        w,
                        "the emulator took the submission",
                        x -> x.findElements(By.tagName("h1")).stream()
                                .anyMatch(h -> h.getText().equals("Submitted")));
            }
            List<Assignment> assignments =
                    lab.requester().listAssignmentsForHIT(b -> b.hitId(hit)).assignments();
            assertEquals(1, assignments.size());
            assertEquals(worker, assignments.get(0).workerId());
            assertEquals("Submitted", assignments.get(0).assignmentStatusAsString());
            String uniqueId = worker + ":" + assignments.get(0).assignmentId();

            JsonNode participant = lab.participant(session, worker);
            assertEquals("SUBMITTED", participant.path("status").asText(), participant.toString());
            // Three correct trials (red: yes, blue: no, red: yes) at 10 cents each, by the project's bonus rule.
            assertEquals("0.30", participant.path("bonus").asText(), participant.toString());
            List<CSVRecord> trials = CSVFormat.DEFAULT
                    .parse(new StringReader(api.get("/api/sessions/" + session + "/psiturk/trialdata.csv")
                            .body()))
                    .getRecords();
            // Begin, Next, Finish of the instructions; three trials; the questionnaire's begin and submit.
            assertEquals(
                    8, trials.stream().filter(r -> r.get(0).equals(uniqueId)).count(), trials.toString());
            assertEquals(
                    "4",
                    MTurkLab.read(api.get("/check_worker_status?workerId=" + worker))
                            .path("status")
                            .asText(),
                    "psiTurk's SUBMITTED");
        }
    }
}
