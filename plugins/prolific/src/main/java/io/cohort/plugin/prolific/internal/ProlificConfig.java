package io.cohort.plugin.prolific.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The plugin's settings (PID {@value ProlificProvider#PID}): the Plugins page turns this into a form, and a
 * {@code deploy/io.cohort.prolific.cfg} file sets them too (e.g. to point the plugin at the testkit's emulator).
 */
@ObjectClassDefinition(name = "Prolific", description = "Prolific: API token, workspace, mode and pacing.")
public @interface ProlificConfig {

    @AttributeDefinition(
            name = "Mode",
            description = "Test calls an emulator (Prolific has no sandbox) and spends no money; live pays real"
                    + " participants.",
            options = {@Option(label = "test", value = "test"), @Option(label = "live", value = "live")})
    String mode() default "test";

    @AttributeDefinition(
            name = "I confirm live mode pays real money",
            description = "Live mode takes effect only when this is ticked; until then the plugin stays in test.")
    boolean liveConfirmed() default false;

    @AttributeDefinition(name = "API token", type = AttributeType.PASSWORD, required = false)
    String token() default "";

    @AttributeDefinition(name = "Workspace ID", required = false, description = "Whose balance pays; groups live here.")
    String workspace() default "";

    @AttributeDefinition(name = "Project ID", required = false, description = "Where new studies are made.")
    String project() default "";

    @AttributeDefinition(
            name = "API URL",
            required = false,
            description = "Blank for https://api.prolific.com (live only); in test mode an emulator's URL.")
    String apiUrl() default "";

    @AttributeDefinition(
            name = "Completion URL",
            required = false,
            description = "Where finished participants are sent with their code (?cc=); blank for Prolific's own"
                    + " (https://app.prolific.com/submissions/complete) or, in test mode, the API URL's.")
    String completionUrl() default "";

    @AttributeDefinition(
            name = "Public URL",
            description = "This server's base URL as participants reach it; studies point at its /prolific/start."
                    + " Empty: the node's own address (http.public.url, else its host and port).")
    String publicUrl() default "";

    @AttributeDefinition(
            name = "Service fee (%)",
            description = "Prolific's fee on rewards and bonuses, for previews; the balance shows what was charged.",
            min = "0",
            max = "100")
    double feePercent() default 33.33;

    @AttributeDefinition(
            name = "Minutes to wait for a bonus to show",
            description = "Prolific pays bonuses in the background. A bonus whose answer was lost and that Prolific"
                    + " does not show yet is paid again only after this many minutes (0 for an emulator, which pays"
                    + " at once).",
            min = "0")
    int bonusSettleMinutes() default 30;

    @AttributeDefinition(
            name = "Requests per second",
            description = "Every call to Prolific is paced to this rate.",
            min = "0.1",
            max = "1000")
    double ratePerSecond() default 5;

    @AttributeDefinition(
            name = "Retries",
            description = "Retries of a call Prolific refused with 429 (too many requests) or that did nothing.",
            min = "0",
            max = "10")
    int retries() default 3;
}
