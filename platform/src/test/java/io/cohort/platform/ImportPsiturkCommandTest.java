package io.cohort.platform;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cohort import-psiturk DIR}: the project copied into experiments/ whole, or not at all. */
class ImportPsiturkCommandTest {

    @TempDir
    Path install;

    @TempDir
    Path elsewhere;

    record Run(int code, String out, String err) {}

    private Run run(String... args) {
        System.setProperty("cohort.install", install.toString());
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int code = Main.execute(args);
            return new Run(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Path colours() throws Exception {
        return Path.of(ImportPsiturkCommandTest.class
                        .getResource("/psiturk/colours/config.txt")
                        .toURI())
                .getParent();
    }

    @Test
    void aProjectIsCopiedWholeAndWhatWasFoundIsReported() throws Exception {
        Run r = run("import-psiturk", colours().toString(), "--name", "colour-study");
        assertEquals(0, r.code(), r.err());
        Path copied = install.resolve("experiments/colour-study");
        assertTrue(r.out().contains("Imported 'colour-study' into " + copied), r.out());
        assertTrue(r.out().contains("title:          Colour judgements"), r.out());
        assertTrue(r.out().contains("code version:   2.1"), r.out());
        assertTrue(r.out().contains("conditions:     3 x 2 counterbalance = 6"), r.out());
        assertTrue(r.out().contains("port is psiTurk's own and not used by Cohort"), r.out());
        assertTrue(r.out().contains("favourite_colour is not a key Cohort knows"), r.out());
        assertTrue(r.out().contains("its routes are not served: /compute_bonus, /my_custom_view"), r.out());
        try (Stream<Path> files = Files.walk(colours())) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path twin = copied.resolve(colours().relativize(f).toString());
                assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(twin), twin.toString());
            }
        }
        Run again = run("import-psiturk", colours().toString(), "--name", "colour-study");
        assertEquals(2, again.code());
        assertTrue(again.err().contains("already exists"), again.err());
    }

    @Test
    void aProjectWithProblemsIsNotCopiedAndEachProblemIsNamed() throws Exception {
        Path broken = Files.createDirectories(elsewhere.resolve("broken/templates"));
        Files.writeString(broken.getParent().resolve("config.txt"), "[Task Parameters]\nnum_counters = 0\n");
        Files.writeString(broken.resolve("exp.html"), "<p>hi</p>\n<p>there</p>\n{% if ready %}\n<p>unclosed</p>\n");
        Run r = run("import-psiturk", broken.getParent().toString());
        assertEquals(2, r.code(), r.out());
        assertTrue(r.err().contains("broken/config.txt:2: num_counters: '0' is not a whole number"), r.err());
        assertTrue(r.err().contains("broken/templates/exp.html:3: "), r.err());
        assertFalse(Files.exists(install.resolve("experiments/broken")));
        assertFalse(Files.exists(install.resolve("experiments")), "no partial copy is left behind");
        Run none = run("import-psiturk", elsewhere.toString());
        assertEquals(2, none.code());
        assertTrue(none.err().contains("not a psiTurk project"), none.err());
    }
}
