package io.cohort.bench;

import io.cohort.testkit.RedeploySoak;
import io.cohort.testkit.RunningCohort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Hot-deploys the campaigns plugin into a running distribution and takes it away, {@code --cycles} times (100),
 * printing the heap in use after a full GC and Felix's live {@code BundleImpl} count every {@code --every} (50)
 * cycles, and at the end how long a deploy took to show its page. Targets: the heap after 100 cycles within 5 MB of
 * the start; a page within 5 s of its jar.
 */
public final class RedeployBench {

    private RedeployBench() {}

    public static void main(String[] args) throws Exception {
        int cycles = 100;
        int every = 50;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                case "--every" -> every = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (--cycles N, --every N)");
            }
        }
        Path distribution = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY));
        Path jar;
        try (var files = Files.list(distribution.resolve("deploy"))) {
            jar = files.filter(p -> p.getFileName().toString().startsWith("cohort-plugin-campaigns"))
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalStateException("no campaigns plugin in " + distribution.resolve("deploy")));
        }
        try (RunningCohort cohort = RunningCohort.in(distribution).start()) {
            RedeploySoak soak = new RedeploySoak(cohort, jar, "io.cohort.plugin.campaigns", "/admin/campaigns");
            // One cycle first, so that what loads once (classes, caches, JIT) is in the baseline.
            soak.cycle();
            long start = soak.usedHeapAfterGc();
            System.out.printf(
                    "cycles %4d: heap after GC %6.1f MB, BundleImpl %d%n",
                    0, start / 1e6, soak.instances(RedeploySoak.BUNDLE_CLASS));
            List<Long> toPage = new ArrayList<>();
            List<Long> toGone = new ArrayList<>();
            for (int c = 1; c <= cycles; c++) {
                RedeploySoak.Cycle cycle = soak.cycle();
                toPage.add(cycle.toPage().toMillis());
                toGone.add(cycle.toGone().toMillis());
                if (c % every == 0 || c == cycles) {
                    long used = soak.usedHeapAfterGc();
                    System.out.printf(
                            "cycles %4d: heap after GC %6.1f MB, BundleImpl %d (%+.2f MB since the start)%n",
                            c, used / 1e6, soak.instances(RedeploySoak.BUNDLE_CLASS), (used - start) / 1e6);
                }
            }
            System.out.printf(
                    "hot deploy (jar in deploy/ -> page answers): p50 %d ms, max %d ms; undeploy (jar deleted -> gone"
                            + " from the list): p50 %d ms, max %d ms; target < 5 s%n",
                    median(toPage), Collections.max(toPage), median(toGone), Collections.max(toGone));
        }
    }

    private static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
