package io.cohort.platform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Experiment folders for tests of a running node. */
public final class TestExperiments {

    private TestExperiments() {}

    /**
     * Writes {@code <home>/experiments/<name>/}: form pages named {@code pages}, in that order, each showing
     * {@code content} (HTML) inside the participant layout. Returns {@code home}.
     */
    public static Path formPages(Path home, String name, String content, String... pages) throws IOException {
        Path folder = Files.createDirectories(home.resolve("experiments").resolve(name));
        StringBuilder yaml = new StringBuilder("name: " + name + "\ntitle: " + name + "\nversion: \"1\"\npages:\n");
        for (String page : pages) {
            yaml.append("  - {name: ").append(page).append(", kind: form, template: page.peb}\n");
        }
        Files.writeString(folder.resolve("experiment.yaml"), yaml);
        Files.writeString(
                folder.resolve("page.peb"),
                "{% extends \"participant.peb\" %}{% block content %}" + content + "{% endblock %}");
        return home;
    }
}
