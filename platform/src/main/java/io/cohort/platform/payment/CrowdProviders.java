package io.cohort.platform.payment;

import com.google.inject.Inject;
import com.google.inject.Singleton;
import io.cohort.api.crowd.CrowdException;
import io.cohort.api.crowd.CrowdProvider;
import io.cohort.platform.osgi.Whiteboard;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.osgi.framework.BundleContext;

/** The {@link CrowdProvider} services plugins register, tracked live, found by name. */
@Singleton
public final class CrowdProviders implements AutoCloseable {

    private static final int BALANCE_WAIT_SECONDS = 3;
    private static final java.util.concurrent.ExecutorService BALANCES =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "cohort-crowd-balance");
                t.setDaemon(true);
                return t;
            });

    private final Whiteboard<CrowdProvider> tracker;

    @Inject
    public CrowdProviders(BundleContext context) {
        this.tracker = new Whiteboard<>(context, CrowdProvider.class);
    }

    public Optional<CrowdProvider> find(String name) {
        return all().stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** @throws CrowdException when no provider of that name is running (its plugin stopped or not deployed) */
    public CrowdProvider get(String name) {
        return find(name)
                .orElseThrow(() -> new CrowdException(
                        "NoProvider",
                        "no crowd provider '" + name + "' is running: deploy or start its plugin",
                        true,
                        null));
    }

    /**
     * The provider an admin or a task names, or the only one running when none is named.
     *
     * @throws IllegalArgumentException when none is named and there is not exactly one
     * @throws CrowdException           when the named one is not running
     */
    public CrowdProvider named(String name) {
        if (name != null && !name.isBlank()) {
            return get(name.trim());
        }
        List<CrowdProvider> all = all();
        if (all.size() != 1) {
            throw new IllegalArgumentException(
                    all.isEmpty()
                            ? "provider: no crowd provider is running; deploy one (e.g. the MTurk plugin)"
                            : "provider: say which provider ("
                                    + all.stream().map(CrowdProvider::name).toList() + ")");
        }
        return all.get(0);
    }

    public List<CrowdProvider> all() {
        List<CrowdProvider> all = tracker.all();
        all.sort(Comparator.comparing(CrowdProvider::name));
        return all;
    }

    /** Name and mode of each provider, for the banner on every admin page. */
    /** How an amount of {@code currency} (ISO 4217) is written: {@code $1.50}, {@code £1.50}, {@code CHF 1.50}. */
    public static String symbol(String currency) {
        return switch (currency == null ? "" : currency) {
            case "USD", "" -> "$";
            case "GBP" -> "£";
            case "EUR" -> "€";
            default -> currency + " ";
        };
    }

    public List<Map<String, String>> modes() {
        List<Map<String, String>> modes = new ArrayList<>();
        for (CrowdProvider p : all()) {
            modes.add(Map.of("name", p.name(), "mode", p.mode().name()));
        }
        return modes;
    }

    /** Name, mode and balance (or why it can't be read) of each provider, for the dashboard and the Payments tab. */
    public List<Map<String, String>> accounts() {
        List<Map<String, String>> accounts = new ArrayList<>();
        for (CrowdProvider p : all()) {
            Map<String, String> row = new java.util.LinkedHashMap<>();
            row.put("name", p.name());
            row.put("mode", p.mode().name());
            // A slow or unreachable market must not hold up the page (the SDK's own timeouts and retries run to
            // minutes): the balance gets a few seconds, then the page says so and the call finishes on its own.
            java.util.concurrent.Future<Long> balance = BALANCES.submit(p::balanceCents);
            try {
                row.put(
                        "balance",
                        PaymentLedger.dollars(
                                balance.get(BALANCE_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS)));
                // Asked after the balance: a provider may learn its currency with it.
                row.put("symbol", symbol(p.currency()));
            } catch (java.util.concurrent.TimeoutException e) {
                row.put("error", p.name() + " did not say its balance within " + BALANCE_WAIT_SECONDS + " s");
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof CrowdException c && "NotConfigured".equals(c.code())) {
                    // Not an error a lab without this market should see in red: how to set it up, on its tab.
                    row.put("setup", p.name() + " is not set up yet: see its tab for how");
                } else {
                    row.put(
                            "error",
                            e.getCause() instanceof CrowdException c ? c.getMessage() : String.valueOf(e.getCause()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                row.put("error", "interrupted");
            }
            accounts.add(row);
        }
        return accounts;
    }

    @Override
    public void close() {
        tracker.close();
    }
}
