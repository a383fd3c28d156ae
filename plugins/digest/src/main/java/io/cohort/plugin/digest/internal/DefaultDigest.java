package io.cohort.plugin.digest.internal;

import io.cohort.api.data.PageVisit;
import io.cohort.api.data.ParticipantData;
import io.cohort.api.experiment.Experiment;
import io.cohort.api.experiment.Page;
import io.cohort.api.session.Participant;
import io.cohort.api.session.ParticipantStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The digest of an experiment that has none of its own: participants by status, participants by the page they are
 * on, and the median time spent on each page (visits that were left, in seconds).
 */
final class DefaultDigest {

    static final String BY_STATUS = "Participants by status";
    static final String BY_PAGE = "Participants by page";
    static final String MEDIAN_SECONDS = "Median seconds per page";

    private DefaultDigest() {}

    static Map<String, Object> of(List<Participant> people, ParticipantData data, Optional<Experiment> experiment) {
        List<String> pages =
                experiment.map(e -> e.pages().stream().map(Page::name).toList()).orElse(List.of());
        Map<String, Object> digest = new LinkedHashMap<>();

        Map<String, Integer> byStatus = new LinkedHashMap<>();
        for (ParticipantStatus status : ParticipantStatus.values()) {
            int n = (int) people.stream().filter(p -> p.status() == status).count();
            if (n > 0) {
                byStatus.put(status.name(), n);
            }
        }
        digest.put(BY_STATUS, byStatus);

        Map<String, Integer> byPage = new LinkedHashMap<>();
        pages.forEach(page -> byPage.put(page, 0));
        for (Participant p : people) {
            byPage.merge(pageName(pages, p.pageIndex()), 1, Integer::sum);
        }
        digest.put(BY_PAGE, byPage);

        // The api reads visits one participant at a time: one query each.
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        pages.forEach(page -> seconds.put(page, new ArrayList<>()));
        for (Participant p : people) {
            for (PageVisit visit : data.visits(p.id())) {
                if (visit.leftAt() != null) {
                    seconds.computeIfAbsent(visit.page(), k -> new ArrayList<>())
                            .add(Duration.between(visit.enteredAt(), visit.leftAt())
                                            .toMillis()
                                    / 1000.0);
                }
            }
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        seconds.forEach((page, times) -> medians.put(page, median(times)));
        digest.put(MEDIAN_SECONDS, medians);
        return digest;
    }

    private static String pageName(List<String> pages, int index) {
        if (pages.isEmpty()) {
            return "page " + index;
        }
        return index < pages.size() ? pages.get(index) : "end";
    }

    /** The median, or null for no values. */
    static Double median(List<Double> values) {
        if (values.isEmpty()) {
            return null;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int mid = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(mid) : (sorted.get(mid - 1) + sorted.get(mid)) / 2;
    }
}
