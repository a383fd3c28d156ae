package io.cohort.testkit;

import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.systemPackages;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import org.ops4j.pax.exam.Option;

/**
 * Pax Exam options for a framework that looks like the host's own Felix: the system bundle exports what the
 * host exports to plugins (plus {@code io.cohort.platform} and {@code io.cohort.testkit}, so a test can start
 * the host in it), and the boot bundles the host needs (DS, ConfigAdmin, Metatype) are installed.
 *
 * <p>The host's package list is read from {@code io/cohort/platform/system-packages.txt} on the class path at
 * run time: the testkit must not depend on the platform at compile time (the platform's tests use the testkit),
 * while a Pax Exam test has the platform on its class path anyway, since the host runs in its JVM.
 */
public final class CohortExam {

    static final String SYSTEM_PACKAGES = "io/cohort/platform/system-packages.txt";
    static final String BOOT_BUNDLES = "io/cohort/testkit/boot-bundles.properties";
    static final String OWN = "io/cohort/testkit/cohort.properties";

    private CohortExam() {}

    /** The Cohort framework's options followed by {@code extra}. */
    public static Option[] options(Option... extra) {
        List<Option> options = new ArrayList<>();
        List<String> packages = new ArrayList<>(hostSystemPackages());
        packages.add("io.cohort.platform;version=" + osgiVersion());
        packages.add("io.cohort.testkit;version=" + osgiVersion());
        options.add(systemPackages(packages.toArray(String[]::new)));
        for (String[] bundle : bootBundles()) {
            options.add(mavenBundle(bundle[0], bundle[1], bundle[2]));
        }
        options.add(junitBundles());
        options.add(cleanCaches());
        // Pax Exam's own logging bundle logs at DEBUG (every HTTP frame of the JDK client) unless told otherwise.
        options.add(
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.addAll(Arrays.asList(extra));
        return options.toArray(Option[]::new);
    }

    /** The version of Cohort this testkit was built with, as Maven writes it (e.g. {@code 0.1.0-SNAPSHOT}). */
    public static String version() {
        Properties own = new Properties();
        try (InputStream in = resource(OWN, "the testkit jar is incomplete")) {
            own.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return own.getProperty("version");
    }

    /** The same as an OSGi package version ({@code 0.1.0}): the test's own packages are exported at it. */
    public static String osgiVersion() {
        return version().split("-")[0];
    }

    /** The lines of the platform's {@code system-packages.txt}, without comments. */
    static List<String> hostSystemPackages() {
        try (InputStream in = resource(
                        SYSTEM_PACKAGES, "is the platform (io.cohort:cohort-platform) on the test class path?");
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** groupId, artifactId, version of each boot bundle, in the order they are installed. */
    static List<String[]> bootBundles() {
        Properties versions = new Properties();
        try (InputStream in = resource(BOOT_BUNDLES, "the testkit jar is incomplete")) {
            versions.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Libraries first, then the bundles that need them; the order only makes the log easier to read.
        List<String> keys = List.of(
                "org.osgi:org.osgi.util.function",
                "org.osgi:org.osgi.util.promise",
                "org.osgi:org.osgi.service.component",
                "org.osgi:org.osgi.service.log",
                "org.apache.felix:org.apache.felix.scr",
                "org.apache.felix:org.apache.felix.configadmin",
                "org.apache.felix:org.apache.felix.metatype");
        List<String[]> bundles = new ArrayList<>();
        for (String key : keys) {
            String version = versions.getProperty(key);
            if (version == null || version.startsWith("$")) {
                throw new IllegalStateException(BOOT_BUNDLES + " has no version for " + key);
            }
            String[] ga = key.split(":");
            bundles.add(new String[] {ga[0], ga[1], version});
        }
        return bundles;
    }

    private static InputStream resource(String name, String hint) {
        InputStream in = CohortExam.class.getClassLoader().getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the class path: " + hint);
        }
        return in;
    }
}
