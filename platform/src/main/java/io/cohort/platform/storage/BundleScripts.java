package io.cohort.platform.storage;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;
import org.osgi.framework.Bundle;

/** A bundle's {@code db/V*__*.sql} scripts, read once, as Flyway resources. */
final class BundleScripts implements ResourceProvider {

    private final List<Script> scripts;

    private BundleScripts(List<Script> scripts) {
        this.scripts = scripts;
    }

    static BundleScripts of(Bundle bundle) {
        List<Script> scripts = new ArrayList<>();
        Enumeration<URL> entries = bundle.findEntries("db", "V*__*.sql", false);
        while (entries != null && entries.hasMoreElements()) {
            URL url = entries.nextElement();
            String path = url.getPath().startsWith("/") ? url.getPath().substring(1) : url.getPath();
            try (InputStream in = url.openStream()) {
                scripts.add(new Script(path, url.toString(), new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + path + " in bundle " + bundle.getSymbolicName(), e);
            }
        }
        return new BundleScripts(scripts);
    }

    int size() {
        return scripts.size();
    }

    @Override
    public LoadableResource getResource(String name) {
        for (Script s : scripts) {
            if (s.getFilename().equals(name) || s.getAbsolutePath().equals(name)) {
                return s;
            }
        }
        return null;
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        List<LoadableResource> found = new ArrayList<>();
        for (Script s : scripts) {
            if (s.getFilename().startsWith(prefix) && endsWithAny(s.getFilename(), suffixes)) {
                found.add(s);
            }
        }
        return found;
    }

    private static boolean endsWithAny(String name, String[] suffixes) {
        for (String suffix : suffixes) {
            if (name.endsWith(suffix)) {
                return true;
            }
        }
        return false;
    }

    /** One script; {@code path} is its place in the bundle, e.g. {@code db/V1__notes.sql}. */
    private static final class Script extends LoadableResource {
        private final String path;
        private final String url;
        private final String text;

        Script(String path, String url, String text) {
            this.path = path;
            this.url = url;
            this.text = text;
        }

        @Override
        public Reader read() {
            return new StringReader(text);
        }

        @Override
        public String getAbsolutePath() {
            return path;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return url;
        }

        @Override
        public String getFilename() {
            return path.substring(path.lastIndexOf('/') + 1);
        }

        @Override
        public String getRelativePath() {
            return getFilename();
        }
    }
}
