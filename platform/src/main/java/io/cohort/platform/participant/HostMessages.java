package io.cohort.platform.participant;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.experiment.Experiment;
import io.cohort.platform.experiment.ExperimentCatalog;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The host's own words on participant pages (wait, paused, error, end and room pages) in English, German, Spanish
 * and Japanese, from {@code messages_<language>.properties} beside the templates. The language is the experiment's
 * {@code language}, else the best match of the browser's {@code Accept-Language}, else English. An experiment may
 * override any key with {@code messages.properties} or {@code messages_<language>.properties} in its folder (or
 * bundle), and so also add a language of its own.
 */
@Singleton
public final class HostMessages {

    static final List<String> LANGUAGES = List.of("en", "de", "es", "ja");
    private static final String BUNDLE = "io/cohort/platform/participant/messages";
    /** How long an experiment's own messages are kept before its files are read again (edits show). */
    private static final long RECHECK_MILLIS = 2_000;

    private final Map<String, Map<String, String>> host = new HashMap<>();
    private final ExperimentCatalog catalog;
    private final Map<String, Loaded> experiments = new ConcurrentHashMap<>();

    private record Loaded(long at, Map<String, String> messages) {}

    @Inject
    public HostMessages(ExperimentCatalog catalog) {
        this.catalog = catalog;
        Map<String, String> english = read(HostMessages.class.getClassLoader().getResource(BUNDLE + ".properties"))
                .orElseThrow();
        for (String language : LANGUAGES) {
            Map<String, String> merged = new HashMap<>(english);
            if (!language.equals("en")) {
                read(HostMessages.class.getClassLoader().getResource(BUNDLE + "_" + language + ".properties"))
                        .ifPresent(merged::putAll);
            }
            host.put(language, Map.copyOf(merged));
        }
    }

    /** The experiment's language, else the browser's best supported one, else English. */
    public String language(Experiment e, String acceptLanguage) {
        if (e != null && e.language() != null) {
            return e.language();
        }
        if (acceptLanguage == null || acceptLanguage.isBlank()) {
            return "en";
        }
        try {
            String tag = Locale.lookupTag(Locale.LanguageRange.parse(acceptLanguage), LANGUAGES);
            return tag == null ? "en" : tag;
        } catch (IllegalArgumentException malformed) {
            return "en";
        }
    }

    /** Every message key in {@code language}, with the experiment's own on top. */
    public Map<String, String> messages(Experiment e, String language) {
        Map<String, String> base = host.getOrDefault(language, host.get("en"));
        if (e == null) {
            return base;
        }
        String key = e.name() + "/" + language;
        Loaded loaded = experiments.get(key);
        long now = System.currentTimeMillis();
        if (loaded == null || now - loaded.at() > RECHECK_MILLIS) {
            Map<String, String> merged = new HashMap<>(base);
            catalog.resource(e.name(), "messages.properties")
                    .flatMap(HostMessages::read)
                    .ifPresent(merged::putAll);
            catalog.resource(e.name(), "messages_" + language + ".properties")
                    .flatMap(HostMessages::read)
                    .ifPresent(merged::putAll);
            loaded = new Loaded(now, Map.copyOf(merged));
            experiments.put(key, loaded);
        }
        return loaded.messages();
    }

    private static Optional<Map<String, String>> read(URL url) {
        if (url == null) {
            return Optional.empty();
        }
        Properties properties = new Properties();
        try (InputStream in = url.openStream();
                Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + url, e);
        }
        Map<String, String> out = new HashMap<>();
        properties.stringPropertyNames().forEach(k -> out.put(k, properties.getProperty(k)));
        return Optional.of(out);
    }
}
