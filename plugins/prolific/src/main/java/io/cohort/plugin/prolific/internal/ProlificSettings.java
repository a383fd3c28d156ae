package io.cohort.plugin.prolific.internal;

import io.cohort.api.crowd.CrowdMode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A configuration read and checked: the mode in force (live only when confirmed), where to call, and what is
 * wrong with it, in words for the Prolific tab.
 *
 * @param apiUrl        base of the API, without {@code /api/v1}
 * @param completionUrl where finished participants go, {@code ?cc=CODE} appended
 * @param notices       what the admin should know (empty when all is well)
 * @param problems      the notices that stop every call (no token, no workspace, a malformed URL)
 */
record ProlificSettings(
        CrowdMode mode,
        String token,
        String workspace,
        String project,
        URI apiUrl,
        String completionUrl,
        String publicUrl,
        double feePercent,
        int bonusSettleMinutes,
        double ratePerSecond,
        int retries,
        List<String> notices,
        List<String> problems) {

    static final URI LIVE_API = URI.create("https://api.prolific.com");
    static final String LIVE_COMPLETION = "https://app.prolific.com/submissions/complete";

    /** @param nodeUrl the node's own address (framework property {@code cohort.url}): the default publicUrl */
    static ProlificSettings of(ProlificConfig config, String nodeUrl) {
        List<String> notices = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        String asked = trim(config.mode()).toLowerCase(Locale.ROOT);
        CrowdMode mode = CrowdMode.TEST;
        if (asked.equals("live")) {
            if (config.liveConfirmed()) {
                mode = CrowdMode.LIVE;
            } else {
                notices.add("Mode is set to live but \"I confirm live mode pays real money\" is not ticked:"
                        + " staying in test.");
            }
        } else if (!asked.equals("test") && !asked.isEmpty()) {
            notices.add("mode: '" + asked + "' is neither test nor live: staying in test.");
        }
        if (trim(config.token()).isEmpty()) {
            problems.add("No API token: set token in the Prolific configuration (Plugins page).");
        }
        if (trim(config.workspace()).isEmpty()) {
            problems.add("No workspace: set workspace to the ID of the workspace that pays (Plugins page).");
        }
        URI api = LIVE_API;
        if (!trim(config.apiUrl()).isEmpty()) {
            try {
                api = httpUrl(config.apiUrl(), "apiUrl");
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        } else if (mode == CrowdMode.TEST) {
            // Prolific has no sandbox: test mode against the real API would pay real participants.
            problems.add("Test mode needs apiUrl: Prolific has no sandbox, so point it at an emulator"
                    + " (bin/cohort prolific-emulator) or choose live mode.");
        }
        String apiBase = api.toString().replaceAll("/+$", "");
        String completion = trim(config.completionUrl());
        if (completion.isEmpty()) {
            completion = api.equals(LIVE_API) ? LIVE_COMPLETION : apiBase + "/submissions/complete";
        } else {
            try {
                httpUrl(completion, "completionUrl");
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        }
        String publicUrl =
                (trim(config.publicUrl()).isEmpty() ? trim(nodeUrl) : trim(config.publicUrl())).replaceAll("/+$", "");
        try {
            httpUrl(publicUrl, "publicUrl");
        } catch (IllegalArgumentException e) {
            problems.add(e.getMessage());
        }
        double fee = config.feePercent();
        if (!(fee >= 0 && fee <= 100)) {
            notices.add("feePercent: " + fee + " is not between 0 and 100; using 33.33.");
            fee = 33.33;
        }
        double rate = config.ratePerSecond();
        if (!(rate > 0)) {
            notices.add("ratePerSecond: " + rate + " is not a positive number; using 5.");
            rate = 5;
        }
        notices.addAll(problems);
        return new ProlificSettings(
                mode,
                trim(config.token()),
                trim(config.workspace()),
                trim(config.project()),
                URI.create(apiBase),
                completion,
                publicUrl,
                fee,
                Math.max(0, config.bonusSettleMinutes()),
                rate,
                Math.max(0, Math.min(10, config.retries())),
                List.copyOf(notices),
                List.copyOf(problems));
    }

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
