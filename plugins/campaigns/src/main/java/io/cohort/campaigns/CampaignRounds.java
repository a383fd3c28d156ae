package io.cohort.campaigns;

import io.cohort.api.crowd.CrowdProvider;
import io.cohort.api.experiment.Experiments;
import io.cohort.api.schedule.Scheduler;
import io.cohort.api.schedule.TaskHandler;
import io.cohort.api.session.Participants;
import io.cohort.api.session.Sessions;
import io.cohort.api.storage.PluginDatabase;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

/** The {@code campaign.round} task: one round of the campaign named in its data, {@code {"campaign": 42}}. */
@Component(service = TaskHandler.class, property = TaskHandler.TYPE + "=" + Recruitment.TASK_TYPE)
public final class CampaignRounds implements TaskHandler {

    private static final Pattern CAMPAIGN = Pattern.compile("\"campaign\"\\s*:\\s*(\\d{1,18})");

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile List<CrowdProvider> providers = List.of();
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile Scheduler scheduler;
    private final Recruitment recruitment;

    @Activate
    public CampaignRounds(@Reference PluginDatabase database, @Reference Sessions sessions,
                          @Reference Participants participants, @Reference Experiments experiments) {
        this.recruitment = new Recruitment(database, () -> providers, () -> scheduler, sessions,
                participants, experiments);
    }

    @Override
    public String run(String taskName, String data) throws Exception {
        Matcher campaign = CAMPAIGN.matcher(data == null ? "" : data);
        if (!campaign.find()) {
            throw new IllegalArgumentException("data: " + data + " names no campaign (expected {\"campaign\": <id>})");
        }
        return recruitment.round(Long.parseLong(campaign.group(1)), "task " + taskName);
    }
}
