package io.cohort.platform.web;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.platform.Config;
import java.net.URI;
import java.util.Locale;

/**
 * The address people reach Cohort at ({@code http.public.url}), when the admin configured one: behind a proxy it is
 * not what the request says. Without one, the request's own {@code Host} stands in, which is right for a node
 * reached directly.
 */
@Singleton
public final class PublicUrl {

    /** {@code scheme://host[:port]} in lower case, or null when none is configured. */
    private final String origin;

    private final boolean https;

    /** @param configured {@code http.public.url}; empty for none */
    @Inject
    public PublicUrl(Config config) {
        this(config.get("http.public.url"));
    }

    public PublicUrl(String configured) {
        if (configured == null || configured.isBlank()) {
            this.origin = null;
            this.https = false;
        } else {
            URI uri = URI.create(configured.strip());
            this.origin = origin(uri.getScheme(), uri.getHost(), uri.getPort());
            this.https = "https".equalsIgnoreCase(uri.getScheme());
        }
    }

    /** Whether a browser's {@code Origin} header names Cohort itself. */
    public boolean isOwnOrigin(String originHeader, String hostHeader) {
        String given = originHeader.strip().toLowerCase(Locale.ROOT);
        if (origin != null) {
            return given.equals(origin);
        }
        if (hostHeader == null) {
            return false;
        }
        String host = hostHeader.strip().toLowerCase(Locale.ROOT);
        return given.equals("http://" + host) || given.equals("https://" + host);
    }

    /** Whether people reach Cohort over https (then cookies are Secure and HSTS is sent). */
    public boolean https() {
        return https;
    }

    private static String origin(String scheme, String host, int port) {
        String s = scheme == null ? "http" : scheme.toLowerCase(Locale.ROOT);
        boolean defaultPort = port < 0 || (s.equals("http") && port == 80) || (s.equals("https") && port == 443);
        return s + "://" + (host == null ? "" : host.toLowerCase(Locale.ROOT)) + (defaultPort ? "" : ":" + port);
    }
}
