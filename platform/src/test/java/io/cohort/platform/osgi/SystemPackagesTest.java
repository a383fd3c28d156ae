package io.cohort.platform.osgi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/** The host exports each api package at the version the api jar exports, and the hand-written rest after it. */
class SystemPackagesTest {

    @Test
    void everyApiPackageIsExportedAtTheApiJarsVersion() throws Exception {
        List<String> listed = Arrays.asList(SystemPackages.list().split(","));
        List<String> api = SystemPackages.apiExports(SystemPackages.apiManifest());
        assertEquals(
                List.of(
                        "io.cohort.api.crowd",
                        "io.cohort.api.data",
                        "io.cohort.api.event",
                        "io.cohort.api.experiment",
                        "io.cohort.api.payment",
                        "io.cohort.api.schedule",
                        "io.cohort.api.session",
                        "io.cohort.api.storage",
                        "io.cohort.api.web"),
                api.stream().map(e -> e.split(";")[0]).sorted().toList());
        assertEquals(api, listed.subList(0, api.size()), "the api's exports come first, as the api jar says");
        assertTrue(
                listed.stream().noneMatch(l -> l.startsWith("io.cohort.api.") && !api.contains(l)),
                "no api package is typed by hand: " + listed);
        assertTrue(listed.contains("org.slf4j;version=2.0.17"), "the hand-written lines follow: " + listed);
    }

    @Test
    void aHeaderWithUsesClausesIsSplitOnlyBetweenPackages() throws Exception {
        Manifest manifest = new Manifest(new ByteArrayInputStream(("Manifest-Version: 1.0\n"
                        + "Export-Package: a.b;version=\"1.2.0\";uses:=\"c.d,e.f\",g.h;uses:=\"x\";version=\"2.0.1\"\n")
                .getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("a.b;version=1.2.0", "g.h;version=2.0.1"), SystemPackages.apiExports(manifest));
    }
}
