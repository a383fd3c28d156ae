package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The build's formatter check, run the way a contributor meets it: a small project inheriting Cohort's root pom,
 * built with the repository's own {@code ./mvnw verify}. A badly formatted file fails the build, naming the file;
 * after {@code spotless:apply} the same build passes.
 */
class FormatCheckIT {

    private static final String GOOD = """
            package org.example.check;

            import java.util.List;

            public final class Tidy {
                public static int size(List<String> words) {
                    return words.size();
                }
            }
            """;

    /** Tabs, a cramped signature, imports out of order and one unused. */
    private static final String BAD = """
            package org.example.check;
            import java.util.Map;
            import java.util.List;
            public final class Tidy {
            \tpublic static int size( List<String> words ){ return words.size() ; }
            }
            """;

    @TempDir
    Path project;

    @Test
    void aBadlyFormattedFileFailsVerifyAndNamesTheFile() throws Exception {
        Path root = Path.of(System.getProperty("cohort.root")).toAbsolutePath();
        Files.writeString(project.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <parent>
                    <groupId>io.cohort</groupId>
                    <artifactId>cohort-parent</artifactId>
                    <version>%s</version>
                    <relativePath>%s</relativePath>
                  </parent>
                  <artifactId>format-check</artifactId>
                </project>
                """.formatted(
                        System.getProperty("cohort.version"), root.resolve("pom.xml")));
        Path source = project.resolve("src/main/java/org/example/check/Tidy.java");
        Files.createDirectories(source.getParent());

        Files.writeString(source, BAD);
        Build bad = maven(root, "verify");
        assertNotEquals(0, bad.exit(), bad.output());
        assertTrue(bad.output().contains("spotless"), bad.output());
        assertTrue(bad.output().contains("Tidy.java"), bad.output());
        assertTrue(bad.output().contains("spotless:apply"), bad.output());

        Build apply = maven(root, "spotless:apply");
        assertEquals(0, apply.exit(), apply.output());
        assertEquals(GOOD, Files.readString(source), "the formatter's own layout");
        Build good = maven(root, "verify");
        assertEquals(0, good.exit(), good.output());
    }

    private record Build(int exit, String output) {}

    private Build maven(Path root, String goal) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(root.resolve("mvnw").toString(), "-B", "-q", goal));
        String repo = System.getProperty("maven.repo.local");
        if (repo != null && !repo.isBlank()) {
            command.add("-Dmaven.repo.local=" + repo);
        }
        Path log = project.resolve(goal.replace(':', '-') + ".log");
        Process p = new ProcessBuilder(command)
                .directory(project.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("mvnw " + goal + " did not finish in 5 minutes");
        }
        return new Build(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }
}
