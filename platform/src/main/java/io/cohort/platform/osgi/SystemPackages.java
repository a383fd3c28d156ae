package io.cohort.platform.osgi;

import io.cohort.api.web.View;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

/**
 * The packages the system bundle exports to plugins, from {@code system-packages.txt}. The build writes that file
 * ({@link #main}): the api packages at the versions the api jar exports, then the hand-written lines of
 * {@code src/main/system-packages.txt}.
 */
public final class SystemPackages {

    static final String RESOURCE = "/io/cohort/platform/system-packages.txt";

    private SystemPackages() {}

    /** The comma-separated value for {@code org.osgi.framework.system.packages.extra}. */
    public static String list() {
        try (InputStream in = SystemPackages.class.getResourceAsStream(RESOURCE);
                BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .collect(Collectors.joining(","));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Run by the build (exec-maven-plugin, phase process-classes): writes {@code args[1]} from the api's
     * {@code Export-Package} header and the hand-written lines in {@code args[0]}.
     */
    public static void main(String[] args) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("# Written by the build from the api jar's Export-Package and src/main/system-packages.txt.");
        lines.addAll(apiExports(apiManifest()));
        lines.addAll(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
        Path out = Path.of(args[1]);
        Files.createDirectories(out.getParent());
        Files.write(out, lines, StandardCharsets.UTF_8);
    }

    /** The manifest of the api on the class path: its jar's, or its build folder's. */
    static Manifest apiManifest() throws IOException {
        Path location;
        try {
            location = Path.of(View.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
        } catch (URISyntaxException e) {
            throw new IOException("cannot locate the api: " + e.getMessage(), e);
        }
        if (Files.isDirectory(location)) {
            try (InputStream in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
                return new Manifest(in);
            }
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            return jar.getManifest();
        }
    }

    /** {@code package;version=x} for each clause of the manifest's {@code Export-Package}. */
    static List<String> apiExports(Manifest manifest) {
        String header = manifest.getMainAttributes().getValue("Export-Package");
        if (header == null) {
            throw new IllegalStateException("the api's manifest has no Export-Package: was bnd run on it?");
        }
        List<String> exports = new ArrayList<>();
        for (String clause : clauses(header)) {
            String[] parts = clause.split(";");
            String version = null;
            for (int i = 1; i < parts.length; i++) {
                String attribute = parts[i].trim();
                if (attribute.startsWith("version=")) {
                    version = attribute.substring("version=".length()).replace("\"", "");
                }
            }
            if (version == null) {
                throw new IllegalStateException("api package " + parts[0] + " is exported without a version");
            }
            exports.add(parts[0].trim() + ";version=" + version);
        }
        return exports;
    }

    /** The header split at the commas that are not inside quotes ({@code uses:="a,b"} holds some). */
    private static List<String> clauses(String header) {
        List<String> clauses = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : header.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                clauses.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        clauses.add(current.toString());
        return clauses;
    }
}
