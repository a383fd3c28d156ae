package io.cohort.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hot-deploys a plugin into a running Cohort and takes it away again, as an admin would (the jar in and out of
 * {@code deploy/}), and reads the node's heap with {@code jcmd}: used bytes after a full GC, and how many live
 * instances a class has (Felix's {@code BundleImpl}: one per bundle the framework still holds).
 */
public final class RedeploySoak {

    public static final String BUNDLE_CLASS = "org.apache.felix.framework.BundleImpl";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern USED = Pattern.compile("used (\\d+)K");

    private final RunningCohort cohort;
    private final Path jar;
    private final String symbolicName;
    private final String page;
    /** One client each, kept: a new client per request leaves a kept-alive connection on the server every time. */
    private final AdminHttp api;

    private final AdminHttp admin;

    /** @param page an admin page of the plugin to load once per cycle (its templates and mappers), or null */
    public RedeploySoak(RunningCohort cohort, Path jar, String symbolicName, String page) {
        this.cohort = cohort;
        this.jar = jar;
        this.symbolicName = symbolicName;
        this.page = page;
        this.api = cohort.api();
        this.admin = page == null ? null : cohort.admin();
    }

    /** How long one cycle's steps took, as the admin sees them. */
    public record Cycle(Duration toPage, Duration toGone) {}

    /**
     * One deploy, use and undeploy; returns when the plugin is gone from the node's list, with the time from the
     * jar's arrival in {@code deploy/} to its page answering (or to ACTIVE, without a page), and from its removal to
     * its leaving the list.
     */
    public Cycle cycle() {
        Path deployed = cohort.deployDir().resolve("soak-" + symbolicName + ".jar");
        try {
            Path staged = Files.copy(jar, cohort.home().resolve("soak.jar.tmp"), StandardCopyOption.REPLACE_EXISTING);
            long arrived = System.nanoTime();
            Files.move(staged, deployed, StandardCopyOption.ATOMIC_MOVE);
            await("ACTIVE", true);
            if (page != null) {
                // ACTIVE comes before Declarative Services has registered the page: give it a moment.
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                int status;
                while ((status = admin.get(page).status()) != 200 && System.nanoTime() < until) {
                    sleep(50);
                }
                if (status != 200) {
                    throw new AssertionError("GET " + page + ": " + status);
                }
            }
            Duration toPage = Duration.ofNanos(System.nanoTime() - arrived);
            long removed = System.nanoTime();
            Files.delete(deployed);
            await(null, false);
            return new Cycle(toPage, Duration.ofNanos(System.nanoTime() - removed));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void await(String state, boolean present) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < until) {
            JsonNode row = row();
            if (present ? row != null && state.equals(row.path("state").asText()) : row == null) {
                return;
            }
            sleep(50);
        }
        throw new AssertionError(symbolicName + (present ? " not " + state : " still listed") + " after 30 s");
    }

    private JsonNode row() {
        try {
            for (JsonNode p : JSON.readTree(api.get("/api/plugins").body())) {
                if (symbolicName.equals(p.path("symbolicName").asText())) {
                    return p;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Heap in use after a full GC, in bytes. */
    public long usedHeapAfterGc() {
        jcmd("GC.run");
        jcmd("GC.run");
        Matcher m = USED.matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            throw new AssertionError("jcmd GC.heap_info printed no 'used'");
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    /** Live instances of a class (class_histogram collects first). */
    public long instances(String className) {
        for (String line : jcmd("GC.class_histogram").split("\n")) {
            String[] cols = line.trim().split("\\s+");
            if (cols.length >= 4 && cols[3].equals(className)) {
                return Long.parseLong(cols[1]);
            }
        }
        return 0;
    }

    private String jcmd(String command) {
        try {
            Process p = new ProcessBuilder(List.of(jcmdPath(), Long.toString(cohort.pid()), command))
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("jcmd " + command + " failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String jcmdPath() {
        Path own = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(own) ? own.toString() : "jcmd";
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
