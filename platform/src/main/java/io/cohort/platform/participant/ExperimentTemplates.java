package io.cohort.platform.participant;

import io.cohort.platform.experiment.ExperimentCatalog;
import io.pebbletemplates.pebble.error.LoaderException;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import io.pebbletemplates.pebble.loader.Loader;
import io.pebbletemplates.pebble.utils.PathUtils;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Pebble's loader for participant pages: {@code experiment:<name>/<path>} is a file of that experiment (its folder
 * or bundle, through the catalog); any other name is one of the host's templates, so an experiment's page can
 * {@code extends "participant.peb"}, and {@code include "table.peb"} finds the experiment's own file first. An experiment file's cache key carries its URL and modification time: an
 * edited template is re-read, and a redeployed bundle's new URL is a new key.
 */
final class ExperimentTemplates implements Loader<Object> {

    static final String PREFIX = "experiment:";

    private final ExperimentCatalog catalog;
    private final ClasspathLoader host = new ClasspathLoader(ExperimentTemplates.class.getClassLoader());

    ExperimentTemplates(ExperimentCatalog catalog) {
        this.catalog = catalog;
        host.setPrefix("io/cohort/platform/participant");
    }

    static String name(String experiment, String path) {
        return PREFIX + experiment + "/" + path;
    }

    private record ExperimentFile(String name, URL url, long modified) {}

    @Override
    public Object createCacheKey(String templateName) {
        if (!templateName.startsWith(PREFIX)) {
            return host.createCacheKey(templateName);
        }
        URL url = find(templateName).orElseThrow(() -> new LoaderException(null, "no template " + templateName));
        long modified = 0;
        if ("file".equals(url.getProtocol())) {
            try {
                modified = new File(url.toURI()).lastModified();
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new LoaderException(e, "cannot read " + templateName);
            }
        }
        return new ExperimentFile(templateName, url, modified);
    }

    private Optional<URL> find(String templateName) {
        String rest = templateName.substring(PREFIX.length());
        int slash = rest.indexOf('/');
        return slash <= 0 ? Optional.empty() : catalog.resource(rest.substring(0, slash), rest.substring(slash + 1));
    }

    @Override
    public Reader getReader(Object cacheKey) {
        if (cacheKey instanceof ExperimentFile file) {
            try {
                return new InputStreamReader(file.url().openStream(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new LoaderException(e, "cannot read " + file.name());
            }
        }
        return host.getReader((String) cacheKey);
    }

    @Override
    public boolean resourceExists(String templateName) {
        return templateName.startsWith(PREFIX) ? find(templateName).isPresent() : host.resourceExists(templateName);
    }

    /**
     * "./x.peb" and "../x.peb" are relative to the including template. A bare name used in an experiment's template
     * is that experiment's file next to it if there is one (a fragment such as an included payoff table), else the
     * host's template ({@code extends "participant.peb"}); a template never resolves to itself.
     */
    @Override
    public String resolveRelativePath(String relativePath, String anchorPath) {
        String relative = PathUtils.resolveRelativePath(relativePath, anchorPath, '/');
        if (relative != null
                || anchorPath == null
                || !anchorPath.startsWith(PREFIX)
                || relativePath.startsWith("/")
                || relativePath.startsWith(PREFIX)) {
            return relative;
        }
        String sibling = anchorPath.substring(0, anchorPath.lastIndexOf('/') + 1) + relativePath;
        return !sibling.equals(anchorPath) && find(sibling).isPresent() ? sibling : null;
    }

    @Override
    public void setCharset(String charset) {}

    @Override
    public void setPrefix(String prefix) {}

    @Override
    public void setSuffix(String suffix) {}
}
