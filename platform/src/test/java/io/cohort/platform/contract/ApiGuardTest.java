package io.cohort.platform.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guard at work on a modified copy of the api, compiled here as the build compiles the real one: a changed
 * method of a host interface without a version bump is refused, naming the package, the method and the version it
 * needs; with the bump it passes. So do the other rules of semantic versioning.
 */
class ApiGuardTest {

    @TempDir
    Path work;

    @Test
    void changingAMethodOfAnApiInterfaceWithoutAVersionBumpFails() throws Exception {
        ApiSignature before = ApiSignature.read(
                ApiSignature.API.resolve("target/classes"), ApiSignature.API.resolve("src/main/java"));
        Path sessions = Path.of("io/cohort/api/session/Sessions.java");

        ApiSignature changed = compile(
                sessions,
                text -> text.replaceFirst(
                        "Session create\\(NewSession ([a-z]+)\\)", "Session create(NewSession $1, String note)"),
                null);
        List<String> problems = ApiSignature.problems(before, changed);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(
                problems.get(0)
                        .startsWith("io.cohort.api.session: removed or changed: member Sessions abstract"
                                + " io.cohort.api.session.Session create(io.cohort.api.session.NewSession)"),
                problems.get(0));
        assertTrue(problems.get(0).contains("its version must be at least 2.0.0 but is 1.1.0"), problems.get(0));

        ApiSignature bumped = compile(
                sessions,
                text -> text.replaceFirst(
                        "Session create\\(NewSession ([a-z]+)\\)", "Session create(NewSession $1, String note)"),
                "2.0.0");
        assertEquals(List.of(), ApiSignature.problems(before, bumped));
    }

    @Test
    void addingAMethodNeedsMinorOnAHostInterfaceAndMajorOnAPluginInterface() throws Exception {
        ApiSignature before = ApiSignature.read(
                ApiSignature.API.resolve("target/classes"), ApiSignature.API.resolve("src/main/java"));

        ApiSignature hostSide = compile(
                Path.of("io/cohort/api/session/Sessions.java"),
                text -> text.replaceFirst("\\}\\s*$", "    int count();\n}\n"),
                null);
        List<String> problems = ApiSignature.problems(before, hostSide);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("at least 1.2.0"), problems.get(0));
        assertEquals(
                List.of(),
                ApiSignature.problems(
                        before,
                        compile(
                                Path.of("io/cohort/api/session/Sessions.java"),
                                text -> text.replaceFirst("\\}\\s*$", "    int count();\n}\n"),
                                "1.2.0")));

        ApiSignature pluginSide = compile(
                Path.of("io/cohort/api/crowd/CrowdProvider.java"),
                text -> text.replaceFirst("\\}\\s*$", "    int priority();\n}\n"),
                "2.2.0");
        problems = ApiSignature.problems(before, pluginSide);
        assertEquals(1, problems.size(), problems.toString());
        assertTrue(
                problems.get(0)
                        .startsWith("io.cohort.api.crowd: a method plugins must implement was added to a"
                                + " @ConsumerType interface"),
                problems.get(0));
        assertTrue(problems.get(0).contains("at least 3.0.0 but is 2.2.0"), problems.get(0));
    }

    /** A copy of the api sources with {@code file} edited (and its package's version set, if given), compiled. */
    private ApiSignature compile(Path file, java.util.function.UnaryOperator<String> edit, String version)
            throws IOException {
        Path copy = Files.createTempDirectory(work, "src");
        Path sources = ApiSignature.API.resolve("src/main/java");
        try (Stream<Path> all = Files.walk(sources)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                Path target = copy.resolve(sources.relativize(f).toString());
                Files.createDirectories(target.getParent());
                Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path edited = copy.resolve(file.toString());
        String text = Files.readString(edited, StandardCharsets.UTF_8);
        String after = edit.apply(text);
        assertTrue(!after.equals(text), "the edit changed " + file);
        Files.writeString(edited, after, StandardCharsets.UTF_8);
        if (version != null) {
            Path info = edited.resolveSibling("package-info.java");
            Files.writeString(
                    info,
                    Files.readString(info).replaceFirst("Version\\(\"[^\"]+\"\\)", "Version(\"" + version + "\")"));
        }
        Path classes = Files.createTempDirectory(work, "classes");
        List<String> args = new ArrayList<>(List.of(
                "-d",
                classes.toString(),
                "-classpath",
                Path.of(org.osgi.annotation.versioning.ProviderType.class
                                .getProtectionDomain()
                                .getCodeSource()
                                .getLocation()
                                .getPath())
                        .toString(),
                "--release",
                "17",
                "-proc:none"));
        try (Stream<Path> all = Files.walk(copy)) {
            all.filter(f -> f.toString().endsWith(".java")).forEach(f -> args.add(f.toString()));
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertEquals(0, javac.run(null, null, null, args.toArray(String[]::new)), "the modified copy compiles");
        return ApiSignature.read(classes, copy);
    }
}
