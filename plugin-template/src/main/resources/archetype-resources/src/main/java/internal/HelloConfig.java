package ${package}.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * The plugin's settings. The host's Plugins page turns this into a form; a {@code ${package}.cfg} file in
 * {@code deploy/} sets them too.
 */
@ObjectClassDefinition(name = "Hello", description = "What the Hello page shows.")
public @interface HelloConfig {

    @AttributeDefinition(name = "Greeting", description = "The line at the top of the page.")
    String greeting() default "Hello from the hello plugin";

    @AttributeDefinition(
            name = "Rows",
            description = "How many greetings the page lists, newest first.",
            min = "1",
            max = "1000")
    int maxRows() default 20;
}
