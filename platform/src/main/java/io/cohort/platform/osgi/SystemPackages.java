package io.cohort.platform.osgi;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;

/** The packages the system bundle exports to plugins, from {@code system-packages.txt}. */
public final class SystemPackages {

    private SystemPackages() {
    }

    /** The comma-separated value for {@code org.osgi.framework.system.packages.extra}. */
    public static String list() {
        try (InputStream in = SystemPackages.class.getResourceAsStream("/io/cohort/platform/system-packages.txt");
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines()
                    .map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .collect(Collectors.joining(","));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
