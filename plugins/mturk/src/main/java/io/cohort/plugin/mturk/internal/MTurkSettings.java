package io.cohort.plugin.mturk.internal;

import io.cohort.api.crowd.CrowdMode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A configuration read and checked: the mode in force (live only when confirmed), where to call, and what is
 * wrong with it, in words for the HITs tab.
 *
 * @param notices  what the admin should know: why the plugin is not in the mode asked for, what stops it calling
 *                 MTurk, what workers would not see (empty when all is well)
 * @param problems the notices that stop every call (no keys, a malformed URL); empty when calls can be made
 */
record MTurkSettings(
        CrowdMode mode,
        String accessKeyId,
        String secretAccessKey,
        URI endpoint,
        String workerSite,
        String publicUrl,
        double ratePerSecond,
        int retries,
        List<String> notices,
        List<String> problems) {

    static final URI SANDBOX_ENDPOINT = URI.create("https://mturk-requester-sandbox.us-east-1.amazonaws.com");
    static final URI LIVE_ENDPOINT = URI.create("https://mturk-requester.us-east-1.amazonaws.com");
    static final String SANDBOX_WORKER_SITE = "https://workersandbox.mturk.com";
    static final String LIVE_WORKER_SITE = "https://www.mturk.com";

    static MTurkSettings of(MTurkConfig config) {
        return of(config, "");
    }

    /** @param nodeUrl the node's own address (framework property {@code cohort.url}): the default publicUrl */
    static MTurkSettings of(MTurkConfig config, String nodeUrl) {
        List<String> notices = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String askedMode = trim(config.mode()).toLowerCase(Locale.ROOT);
        CrowdMode mode = CrowdMode.SANDBOX;
        if (askedMode.equals("live")) {
            if (config.liveConfirmed()) {
                mode = CrowdMode.LIVE;
            } else {
                notices.add("Mode is set to live but \"I confirm live mode pays real money\" is not ticked:"
                        + " staying in sandbox.");
            }
        } else if (!askedMode.equals("sandbox") && !askedMode.isEmpty()) {
            notices.add("mode: '" + askedMode + "' is neither sandbox nor live: staying in sandbox.");
        }
        String keyId = trim(config.accessKeyId());
        String secret = trim(config.secretAccessKey());
        if (keyId.isEmpty() || secret.isEmpty()) {
            problems.add("No AWS keys: set accessKeyId and secretAccessKey in the MTurk configuration (Plugins page).");
        }
        URI endpoint = mode == CrowdMode.LIVE ? LIVE_ENDPOINT : SANDBOX_ENDPOINT;
        if (!trim(config.endpoint()).isEmpty()) {
            try {
                endpoint = httpUrl(config.endpoint(), "endpoint");
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        String workerSite = trim(config.workerSite()).isEmpty()
                ? (mode == CrowdMode.LIVE ? LIVE_WORKER_SITE : SANDBOX_WORKER_SITE)
                : trim(config.workerSite());
        String publicUrl = trim(config.publicUrl()).isEmpty()
                ? trim(nodeUrl).replaceAll("/+$", "")
                : trim(config.publicUrl()).replaceAll("/+$", "");
        try {
            httpUrl(publicUrl, "publicUrl");
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        if (trim(config.endpoint()).isEmpty()
                && publicUrl.toLowerCase(Locale.ROOT).startsWith("http:")) {
            // MTurk's worker site frames the ExternalQuestion from an https page: an http study never shows.
            notices.add("publicUrl: '" + publicUrl + "' is not https; MTurk shows workers only https studies.");
        }
        double rate = config.ratePerSecond();
        if (!(rate > 0)) {
            notices.add("ratePerSecond: " + rate + " is not a positive number; using 5.");
            rate = 5;
        }
        int retries = Math.max(0, Math.min(10, config.retries()));
        notices.addAll(problems);
        return new MTurkSettings(
                mode,
                keyId,
                secret,
                endpoint,
                workerSite,
                publicUrl,
                rate,
                retries,
                List.copyOf(notices),
                List.copyOf(problems));
    }

    /** Whether calls can be made (keys present, URLs valid). */
    boolean usable() {
        return problems.isEmpty();
    }

    private static URI httpUrl(String value, String field) {
        try {
            URI uri = URI.create(value.strip());
            if (uri.getScheme() != null && uri.getScheme().matches("(?i)https?") && uri.getHost() != null) {
                return uri;
            }
        } catch (IllegalArgumentException e) {
            // reported below
        }
        throw new IllegalArgumentException(field + ": '" + value + "' is not an http(s) URL.");
    }

    static String trim(String s) {
        return s == null ? "" : s.strip();
    }

    /** {@code cohort.url}, the address the host serves participants at; empty when it is not known. */
    static String nodeUrl(org.osgi.framework.BundleContext context) {
        String url = context == null ? null : context.getProperty("cohort.url");
        return url == null ? "" : url;
    }
}
