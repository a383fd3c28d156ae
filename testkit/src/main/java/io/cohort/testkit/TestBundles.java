package io.cohort.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Builds real bundle jars in tests: a manifest from the given headers, class files copied from the test class
 * path, and text resources. Each class brings its nested and anonymous classes along.
 *
 * <pre>{@code
 * TestBundles.jar(dir.resolve("hello.jar"),
 *         Map.of("Bundle-SymbolicName", "io.cohort.fixture.hello",
 *                "Bundle-Activator", HelloActivator.class.getName(),
 *                "Import-Package", "org.osgi.framework"),
 *         List.of(HelloActivator.class),
 *         Map.of("templates/hello.peb", "<p>{{ greeting }}</p>"));
 * }</pre>
 */
public final class TestBundles {

    private TestBundles() {}

    /**
     * Writes the jar to {@code out} (atomically: a half-written jar is never seen there) and returns it.
     * {@code Bundle-ManifestVersion: 2} is added unless given.
     */
    public static Path jar(
            Path out, Map<String, String> headers, List<Class<?>> classes, Map<String, String> resources) {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.putValue("Bundle-ManifestVersion", "2");
        headers.forEach(main::putValue);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (Class<?> type : classes) {
            addClass(entries, type);
        }
        resources.forEach((path, text) -> entries.put(path, text.getBytes(StandardCharsets.UTF_8)));
        try {
            Path dir = out.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path temp = Files.createTempFile(dir, ".bundle-", ".tmp");
            try (OutputStream file = Files.newOutputStream(temp);
                    JarOutputStream jar = new JarOutputStream(file, manifest)) {
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    jar.putNextEntry(new JarEntry(e.getKey()));
                    jar.write(e.getValue());
                    jar.closeEntry();
                }
            }
            return Files.move(temp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out, e);
        }
    }

    /** The class file of {@code type}, of its named nested classes and of its anonymous ones ({@code Outer$1} …). */
    private static void addClass(Map<String, byte[]> entries, Class<?> type) {
        entries.put(classFile(type.getName()), classBytes(type, type.getName()));
        for (int i = 1; ; i++) {
            String anonymous = type.getName() + "$" + i;
            if (type.getClassLoader().getResource(classFile(anonymous)) == null) {
                break;
            }
            entries.put(classFile(anonymous), classBytes(type, anonymous));
        }
        for (Class<?> nested : type.getDeclaredClasses()) {
            addClass(entries, nested);
        }
    }

    private static String classFile(String className) {
        return className.replace('.', '/') + ".class";
    }

    private static byte[] classBytes(Class<?> near, String className) {
        try (InputStream in = near.getClassLoader().getResourceAsStream(classFile(className))) {
            if (in == null) {
                throw new IllegalArgumentException("no class file for " + className + " on the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
