package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.AdminHttp;
import io.cohort.testkit.prolific.ProlificEmulator;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A lab rehearsing on the Prolific emulator: the built distribution with the Prolific plugin deployed as a lab does
 * it (its jar copied from the distribution's {@code plugins/} into {@code deploy/}, and
 * {@code deploy/io.cohort.prolific.cfg} pointing it at an emulator in this JVM), studies made from the plugin's tab,
 * and participants who take a study on the emulator, land on {@code /prolific/start}, finish, go back to Prolific
 * with the completion code and complete their submission there. The MTurk plugin, shipped in {@code deploy/}, runs
 * beside it, so every Payments API call names {@code provider=prolific}.
 */
final class ProlificLab extends CrowdLab {

    private static final Pattern MADE = Pattern.compile("Made study ([A-Za-z0-9_-]+) ");

    final ProlificEmulator emulator;

    /**
     * A participant who took a study and became one of ours: their PROLIFIC_PID, the study, their submission (the
     * {@code SESSION_ID} Prolific gave them, the participant's assignmentId here) and their page here.
     */
    record Participant(String pid, String studyId, String submissionId, String pageUrl) implements CrowdLab.Paid {
        @Override
        public String workerId() {
            return pid;
        }

        @Override
        public String assignmentId() {
            return submissionId;
        }
    }

    /**
     * @param extraConfig more lines for {@code io.cohort.prolific.cfg} (e.g. {@code retries=0})
     * @param experiments experiments/ folders to copy beside the distribution's (fixtures under src/test/resources)
     */
    ProlificLab(String extraConfig, String... experiments) throws IOException {
        super("prolific", "Prolific", experiments);
        emulator = ProlificEmulator.start();
        Path deploy = builder.home().resolve("deploy");
        Files.copy(pluginJar(), deploy.resolve(pluginJar().getFileName()));
        Files.writeString(
                deploy.resolve("io.cohort.prolific.cfg"),
                String.join(
                        "\n",
                        "mode=test",
                        "token=" + emulator.token(),
                        "workspace=" + emulator.workspaceId(),
                        "apiUrl=" + emulator.baseUrl(),
                        "publicUrl=http://127.0.0.1:" + port,
                        "bonusSettleMinutes=0",
                        extraConfig,
                        ""));
    }

    /** The Prolific plugin as the distribution ships it: beside deploy/, in plugins/, for a lab to copy. */
    static Path pluginJar() throws IOException {
        return shippedPlugin("prolific");
    }

    /** A plugin the distribution ships in plugins/ (not running) for a lab to copy into deploy/. */
    static Path shippedPlugin(String name) throws IOException {
        try (Stream<Path> files = Files.list(distribution().resolve("plugins"))) {
            List<Path> jars = files.filter(p -> {
                        String file = p.getFileName().toString();
                        return file.startsWith("cohort-plugin-" + name + "-") && file.endsWith(".jar");
                    })
                    .toList();
            assertEquals(1, jars.size(), "one " + name + " plugin jar in the distribution's plugins/: " + jars);
            return jars.get(0);
        }
    }

    @Override
    String banner() {
        return "prolific: TEST";
    }

    /** Starts (or starts again, same home, port and database) and waits until the Prolific provider is running. */
    @Override
    ProlificLab start() {
        super.start();
        return this;
    }

    /**
     * Makes and publishes a study for the session from the plugin's tab (the form, with its CSRF token), as an admin
     * would; returns its ID, as the page after says it ("Made study ID ...").
     */
    String makeStudy(String session, String reward, int places) {
        AdminHttp admin = cohort.admin();
        admin.get("/admin/prolific");
        AdminHttp.Response r = admin.postForm("/admin/prolific/create", studyForm(session, reward, places));
        assertEquals(3, r.status() / 100, "making a study: " + r);
        String page = admin.get(r.redirectPath()).body();
        Matcher made = MADE.matcher(page);
        assertTrue(made.find(), "the Prolific tab says which study it made: " + page);
        String studyId = made.group(1);
        assertEquals("ACTIVE", emulator.studyStatus(studyId), "the study is published on Prolific");
        return studyId;
    }

    /** The Prolific tab's "Make a study" form, filled in as a lab would for a short study. */
    static Map<String, String> studyForm(String session, String reward, int places) {
        return Map.ofEntries(
                Map.entry("sessionId", session),
                Map.entry("title", "A short study"),
                Map.entry("description", "Answer a few questions"),
                Map.entry("reward", reward),
                Map.entry("estimatedMinutes", "5"),
                Map.entry("maximalMinutes", "60"),
                Map.entry("places", Integer.toString(places)),
                Map.entry("allowGroup", ""),
                Map.entry("blockGroup", ""),
                Map.entry("token", UUID.randomUUID().toString()));
    }

    /** A participant id like Prolific's (24 hex digits), distinct per prefix (hex digits) and number. */
    static String pid(String prefix, int n) {
        String id = prefix + String.format("%0" + (24 - prefix.length()) + "x", n);
        assertEquals(24, id.length(), id);
        return id;
    }

    /**
     * {@code count} participants take the study on the emulator, land on {@code /prolific/start}, answer the
     * one-page experiment, press the end page's "go back to Prolific" button (→ SUBMITTED), which sends them to the
     * emulator's completion URL with the study's code, and complete their submission there (→ AWAITING REVIEW).
     *
     * @param prefix hex digits that set these participants apart from others of the same lab
     */
    List<Participant> participantsComplete(String studyId, int count, String prefix) {
        return inParallel(cohort.http().base(), count, (i, http) -> {
            String pid = pid(prefix, i + 1);
            Participant p = arrive(http, pid, studyId);
            String path = URI.create(p.pageUrl()).getPath();
            AdminHttp.Response answered = http.postFormAsIs(path, Map.of("_page", "0"));
            assertEquals(303, answered.status(), "participant " + pid + " answers: " + answered);
            String code = finish(http, p);
            ProlificEmulator.SubmissionView completed = emulator.complete(pid, studyId, code);
            assertEquals("AWAITING REVIEW", completed.status(), completed.toString());
            return p;
        });
    }

    /** The participant takes the study on the emulator and follows its study URL to our {@code /prolific/start}. */
    Participant arrive(AdminHttp http, String pid, String studyId) {
        URI start = URI.create(emulator.takeStudy(pid, studyId));
        assertEquals(port, start.getPort(), "the study URL is our publicUrl: " + start);
        AdminHttp.Response landed = http.get(start.getRawPath() + "?" + start.getRawQuery());
        assertEquals(303, landed.status(), "participant " + pid + " lands: " + landed);
        String submission = query(start, "SESSION_ID");
        return new Participant(pid, studyId, submission, landed.location());
    }

    /**
     * The end page's "Finish and go back to Prolific" (a POST of their session and URL token to
     * {@code /prolific/finish}): a 303 to the emulator's completion URL; returns its code.
     */
    String finish(AdminHttp http, Participant p) {
        String[] parts = URI.create(p.pageUrl()).getPath().split("/");
        AdminHttp.Response back =
                http.postFormAsIs("/prolific/finish", Map.of("sessionId", parts[2], "token", parts[3]));
        assertEquals(303, back.status(), "participant " + p.pid() + " goes back to Prolific: " + back);
        URI completion = URI.create(back.location());
        assertEquals(
                emulator.completionUrl("X").getRawPath(),
                completion.getRawPath(),
                "back to the emulator's completion page: " + completion);
        assertEquals(emulator.baseUrl().getPort(), completion.getPort(), completion.toString());
        return query(completion, "cc");
    }

    private static String query(URI uri, String name) {
        for (String pair : uri.getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) {
                return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + name + " in " + uri);
    }

    @Override
    public void close() {
        super.close();
        emulator.close();
    }
}
