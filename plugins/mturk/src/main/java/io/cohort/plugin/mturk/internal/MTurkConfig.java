package io.cohort.plugin.mturk.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/**
 * The plugin's settings (PID {@value MTurkProvider#PID}): the Plugins page turns this into a form, and a
 * {@code deploy/io.cohort.mturk.cfg} file sets them too (e.g. to point the plugin at the testkit's emulator).
 */
@ObjectClassDefinition(name = "MTurk", description = "Amazon Mechanical Turk: keys, mode, endpoint and pacing.")
public @interface MTurkConfig {

    @AttributeDefinition(
            name = "Mode",
            description = "Sandbox spends no money; live pays real workers.",
            options = {@Option(label = "sandbox", value = "sandbox"), @Option(label = "live", value = "live")})
    String mode() default "sandbox";

    @AttributeDefinition(
            name = "I confirm live mode pays real money",
            description = "Live mode takes effect only when this is ticked; until then the plugin stays in sandbox.")
    boolean liveConfirmed() default false;

    @AttributeDefinition(name = "Access key ID", required = false)
    String accessKeyId() default "";

    @AttributeDefinition(name = "Secret access key", type = AttributeType.PASSWORD, required = false)
    String secretAccessKey() default "";

    @AttributeDefinition(
            name = "Endpoint",
            required = false,
            description = "Blank for AWS's sandbox or live endpoint of the mode; e.g. an emulator's URL.")
    String endpoint() default "";

    @AttributeDefinition(
            name = "Worker site",
            required = false,
            description = "Blank for the real sandbox or live worker site; e.g. the emulator's /worker/.")
    String workerSite() default "";

    @AttributeDefinition(
            name = "Public URL",
            description = "This server's base URL as workers reach it; HITs point at its /mturk/start."
                    + " Empty: the node's own address (http.public.url, else its host and port).")
    String publicUrl() default "";

    @AttributeDefinition(
            name = "Requests per second",
            description = "Every call to MTurk is paced to this rate.",
            min = "0.1",
            max = "100")
    double ratePerSecond() default 5;

    @AttributeDefinition(
            name = "Retries",
            description = "Retries on throttling and service faults.",
            min = "0",
            max = "10")
    int retries() default 3;
}
