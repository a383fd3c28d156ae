package io.cohort.distribution;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cohort.testkit.RedeploySoak;
import io.cohort.testkit.RunningCohort;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The campaigns plugin (DS components, an admin page, its own schema and mappers, templates) deployed, used and
 * undeployed 25 times on a running node: no uninstalled bundle stays in memory, and the heap after a full GC does
 * not grow with the cycles. ({@code bench/redeploy.sh} runs the same for 100 cycles and prints the figures.)
 */
class RedeployIT {

    @Test
    void redeployingAPluginLeavesNothingBehind() throws Exception {
        // Only the home's deploy/: the install's own copy of the plugin must not stand in for the one cycled.
        try (RunningCohort cohort = RunningCohort.fromSystemProperty()
                .env("COHORT_PLUGINS_SHIPPED", "false")
                .start()) {
            Path jar = campaignsJar();
            RedeploySoak soak = new RedeploySoak(cohort, jar, "io.cohort.plugin.campaigns", "/admin/campaigns");
            soak.cycle();
            long bundles = soak.instances(RedeploySoak.BUNDLE_CLASS);
            long heap = soak.usedHeapAfterGc();
            for (int i = 0; i < 25; i++) {
                soak.cycle();
            }
            long bundlesAfter = soak.instances(RedeploySoak.BUNDLE_CLASS);
            long heapAfter = soak.usedHeapAfterGc();
            System.out.printf(
                    "RedeployIT: BundleImpl %d -> %d, heap after GC %.1f -> %.1f MB over 25 cycles%n",
                    bundles, bundlesAfter, heap / 1e6, heapAfter / 1e6);
            assertTrue(bundlesAfter <= bundles, "uninstalled bundles kept: " + bundles + " -> " + bundlesAfter);
            // 5 MB per 100 cycles is the target; 25 cycles get a quarter, plus noise of a busy JVM.
            assertTrue(heapAfter - heap < 3_000_000, "heap grew " + (heapAfter - heap) + " bytes in 25 cycles");
        }
    }

    private static Path campaignsJar() throws Exception {
        Path distribution = Path.of(System.getProperty(RunningCohort.DISTRIBUTION_PROPERTY));
        try (var files = Files.list(distribution.resolve("deploy"))) {
            return files.filter(p -> p.getFileName().toString().startsWith("cohort-plugin-campaigns"))
                    .findFirst()
                    .orElseThrow();
        }
    }
}
