package ${package}.internal;

import io.cohort.api.storage.PluginDatabase;
import io.cohort.api.web.AdminPage;
import io.cohort.api.web.PageRequest;
import io.cohort.api.web.View;
import java.util.List;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The admin tab at {@code /admin/hello}: the configured greeting, the latest rows of the plugin's table, and a
 * form that adds one. Registering this service is all it takes; the host drops the tab when the bundle stops.
 */
@Component(
        service = AdminPage.class,
        configurationPid = HelloPage.PID,
        property = {AdminPage.PATH + "=/hello", AdminPage.MENU + "=Hello"})
@Designate(ocd = HelloConfig.class)
public final class HelloPage implements AdminPage {

    /** The configuration's PID: {@code deploy/${package}.cfg}. */
    static final String PID = "${package}";

    private final PluginDatabase database;
    private volatile HelloConfig config;

    @Activate
    public HelloPage(@Reference PluginDatabase database, HelloConfig config) {
        this.database = database;
        this.config = config;
    }

    @Modified
    void modified(HelloConfig config) {
        this.config = config;
    }

    @Override
    public View handle(PageRequest request) {
        if (request.method().equals("POST")) {
            String message = first(request.parameters().get("message"));
            if (message != null && !message.isBlank()) {
                database.transaction(GreetingMapper.class, m -> m.add(message.strip(), "form"));
            }
            // Redirect after POST, so a reload does not send the form again.
            return View.redirect("/admin/hello");
        }
        HelloConfig current = config;
        List<Greeting> rows = database.transaction(GreetingMapper.class, m -> m.latest(current.maxRows()));
        return View.of("templates/hello.peb", Map.of("greeting", current.greeting(), "rows", rows));
    }

    private static String first(List<String> values) {
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
