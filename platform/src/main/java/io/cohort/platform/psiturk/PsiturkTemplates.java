package io.cohort.platform.psiturk;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A psiTurk project's {@code templates/}, rendered as Jinja by HubSpot's Jinjava ({@code extends} with paths, blocks,
 * {@code {{ super() }}}, filters), as Flask renders them for psiTurk. {@code extends} and {@code include} find files
 * only inside the folder.
 */
public final class PsiturkTemplates {

    /** Templates larger than this are not psiTurk pages; the cap keeps a mistake from filling the heap. */
    static final long MAX_OUTPUT = 10L * 1024 * 1024;

    private final Path dir;
    private final String label;
    private final Jinjava jinjava;

    /**
     * @param dir   the project's {@code templates} folder
     * @param label the same folder as the admin sees it, for messages
     */
    PsiturkTemplates(Path dir, String label) {
        this.dir = dir.toAbsolutePath().normalize();
        this.label = label;
        this.jinjava = new Jinjava(
                JinjavaConfig.newBuilder().withMaxOutputSize(MAX_OUTPUT).build());
        jinjava.setResourceLocator((name, charset, interpreter) -> Files.readString(file(name), charset));
    }

    /** A template rendered with psiTurk's variables; its own errors named by file and line. */
    public static final class Failure extends RuntimeException {
        Failure(String message) {
            super(message);
        }
    }

    /** Whether {@code name} (e.g. {@code instructions/instruct-1.html}) is a template of the project. */
    public boolean has(String name) {
        try {
            return Files.isRegularFile(file(name));
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Renders {@code name}; {@code edit} may change its text first (psiTurk inserts the mode into links).
     *
     * @throws Failure naming the file and line of a Jinja error
     */
    public String render(String name, Map<String, ?> variables, java.util.function.UnaryOperator<String> edit) {
        String text;
        try {
            text = Files.readString(file(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Failure(label + "/" + name + ": cannot be read (" + e.getMessage() + ")");
        }
        RenderResult result = jinjava.renderForResult(edit.apply(text), variables);
        List<String> fatal = fatal(name, result);
        if (!fatal.isEmpty()) {
            throw new Failure(String.join("; ", fatal));
        }
        return result.getOutput();
    }

    /** Every template's Jinja errors (syntax, a missing layout), one message each with file and line. */
    List<String> check() {
        if (!Files.isDirectory(dir)) {
            return List.of(label + ": there is no templates folder");
        }
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f :
                    files.filter(p -> p.toString().endsWith(".html")).sorted().toList()) {
                String name = dir.relativize(f).toString().replace('\\', '/');
                try {
                    problems.addAll(fatal(name, jinjava.renderForResult(Files.readString(f), Map.of())));
                } catch (RuntimeException | IOException e) {
                    problems.add(label + "/" + name + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            problems.add(label + ": cannot be listed (" + e.getMessage() + ")");
        }
        return problems;
    }

    private List<String> fatal(String name, RenderResult result) {
        List<String> messages = new ArrayList<>();
        for (TemplateError e : result.getErrors()) {
            if (e.getSeverity() == TemplateError.ErrorType.FATAL) {
                String file = e.getSourceTemplate().orElse(name);
                messages.add(label + "/" + file + ":" + e.getLineno() + ": " + e.getMessage());
            }
        }
        return messages;
    }

    /** The file at a relative template path, never outside the folder. */
    private Path file(String name) throws NoSuchFileException {
        String clean = name.startsWith("/") ? name.substring(1) : name;
        Path f = dir.resolve(clean).normalize();
        if (clean.isEmpty() || clean.contains("\\") || !f.startsWith(dir)) {
            throw new NoSuchFileException(name);
        }
        return f;
    }
}
