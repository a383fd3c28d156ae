package io.cohort.distribution;

import io.cohort.distribution.fixture.FailingActivator;
import io.cohort.distribution.fixture.HelloActivator;
import io.cohort.distribution.fixture.TaskFixtureActivator;
import io.cohort.testkit.TestBundles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** The fixture plugins as bundle jars, built from the classes in {@code io.cohort.distribution.fixture}. */
final class FixtureBundles {

    static final String HELLO = "io.cohort.fixture.hello";
    static final String FAILING = "io.cohort.fixture.failing";
    static final String TASKS = "io.cohort.fixture.tasks";

    private static final String HELLO_TEMPLATE = """
            {% extends "layout.peb" %}
            {% block title %}Hello{% endblock %}
            {% block content %}<h1>Hello page</h1><p id="greeting">{{ greeting }}</p>{% endblock %}
            """;

    private FixtureBundles() {}

    /** The hello plugin: admin page /admin/hello and ManagedService {@link HelloActivator#PID}. */
    static Path hello(Path out) {
        return withActivator(
                out,
                HELLO,
                "Hello fixture",
                HelloActivator.class,
                "io.cohort.api.web;version=\"[1.0,2)\",org.osgi.framework,org.osgi.service.cm;version=\"[1.6,2)\"",
                Map.of("templates/hello.peb", HELLO_TEMPLATE));
    }

    /** The task handlers {@link TaskFixtureActivator#TICK} and {@link TaskFixtureActivator#LONG}. */
    static Path tasks(Path out) {
        return withActivator(
                out,
                TASKS,
                "Tasks fixture",
                TaskFixtureActivator.class,
                "io.cohort.api.schedule;version=\"[1.0,2)\",org.osgi.framework",
                Map.of());
    }

    /** A plugin whose activator throws. */
    static Path failing(Path out) {
        return withActivator(out, FAILING, "Failing fixture", FailingActivator.class, "org.osgi.framework", Map.of());
    }

    private static Path withActivator(
            Path out,
            String symbolicName,
            String name,
            Class<?> activator,
            String imports,
            Map<String, String> resources) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Bundle-SymbolicName", symbolicName);
        headers.put("Bundle-Version", "1.0.0");
        headers.put("Bundle-Name", name);
        headers.put("Bundle-Activator", activator.getName());
        headers.put("Import-Package", imports);
        return TestBundles.jar(out, headers, List.of(activator), resources);
    }

    /** A bundle with no code at all: it starts and does nothing. */
    static Path plain(Path out, String symbolicName) {
        return TestBundles.jar(
                out, Map.of("Bundle-SymbolicName", symbolicName, "Bundle-Version", "1.0.0"), List.of(), Map.of());
    }

    /** Random bytes with a .jar name. */
    static Path corrupt(Path out) {
        byte[] bytes = new byte[4096];
        new Random(42).nextBytes(bytes);
        try {
            return Files.write(out, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
