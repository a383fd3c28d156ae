package ${package}.internal;

import io.cohort.api.event.Event;
import io.cohort.api.event.EventListener;
import io.cohort.api.storage.PluginDatabase;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Records every event published on {@value #TOPIC} (on any node) as a greeting. */
@Component(property = EventListener.TOPIC + "=" + GreetingListener.TOPIC)
public final class GreetingListener implements EventListener {

    static final String TOPIC = "hello/greeting";

    private final PluginDatabase database;

    @Activate
    public GreetingListener(@Reference PluginDatabase database) {
        this.database = database;
    }

    @Override
    public void onEvent(Event event) {
        database.transaction(GreetingMapper.class, m -> m.add(event.payload(), "event from " + event.node()));
    }
}
