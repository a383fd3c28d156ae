package io.cohort.plugin.campaigns.internal;

import io.cohort.api.schedule.TaskHandler;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The {@code campaign.round} task: one round of the campaign named in its data, {@code {"campaign": 42}}. */
@Component(service = TaskHandler.class, property = TaskHandler.TYPE + "=" + Recruitment.TASK_TYPE)
public final class CampaignRounds implements TaskHandler {

    private static final Pattern CAMPAIGN = Pattern.compile("\"campaign\"\\s*:\\s*(\\d{1,18})");

    private final Recruitment recruitment;

    @Activate
    public CampaignRounds(@Reference Recruitment recruitment) {
        this.recruitment = recruitment;
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
