package io.cohort.platform;

import java.io.IOException;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The node's settings: {@code conf/cohort.properties} under the home folder, then the environment on top
 * ({@code COHORT_DB_URL} for {@code db.url}; every key works that way, plus {@code COHORT_PORT} and
 * {@code COHORT_ADMIN_PASSWORD}). Unknown keys and malformed values stop start-up with a line naming them.
 *
 * @param install the distribution's folder (holds {@code system/})
 * @param home    the instance's folder (holds {@code conf/}, {@code deploy/}, {@code data/})
 */
public record Config(Path install, Path home, Map<String, String> values) {

    public static final String FILE = "conf/cohort.properties";

    static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("http.host", "127.0.0.1"),
            Map.entry("http.port", "8080"),
            Map.entry("http.public.url", ""),
            Map.entry("http.trustedProxies", ""),
            Map.entry("login.lifetime.hours", "168"),
            Map.entry("db.url", ""),
            Map.entry("db.user", ""),
            Map.entry("db.password", ""),
            Map.entry("db.pool.size", "10"),
            Map.entry("node.name", ""),
            Map.entry("api.token", ""),
            Map.entry("deploy.poll.ms", "500"),
            Map.entry("scheduler.enabled", "true"),
            Map.entry("admin.enabled", "true"),
            Map.entry("shutdown.drain.seconds", "0"),
            Map.entry("plugins.shipped", "true"),
            Map.entry("room.joins.per.minute", "30"),
            Map.entry("socket.ping.seconds", "30"),
            Map.entry("socket.idle.seconds", "300"));

    /** Keys that are settable by a prefix, e.g. {@code admin.alice}. */
    static final Set<String> PREFIXES = Set.of("admin.");

    private static final Map<String, String> ENV_ALIASES = Map.of(
            "COHORT_PORT", "http.port",
            "COHORT_ADMIN_PASSWORD", "admin.admin");

    /** Reads the file under {@code home} and the given environment. */
    public static Config load(Path install, Path home, Map<String, String> env) {
        Map<String, String> values = new TreeMap<>(DEFAULTS);
        Path file = home.resolve(FILE);
        if (Files.isRegularFile(file)) {
            Properties props = new Properties();
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(in);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(file + ": cannot be read: " + e.getMessage(), e);
            }
            for (String key : props.stringPropertyNames()) {
                if (!known(key)) {
                    throw new ConfigException(file + ": unknown key '" + key + "' (known: "
                            + String.join(", ", new TreeMap<>(DEFAULTS).keySet()) + ", admin.<name>)");
                }
                values.put(key, props.getProperty(key).trim());
            }
        }
        env.forEach((name, value) -> {
            String key = ENV_ALIASES.get(name);
            if (key == null && name.startsWith("COHORT_")) {
                String candidate = name.substring("COHORT_".length())
                        .toLowerCase(Locale.ROOT)
                        .replace('_', '.');
                // Keys are matched without case, so COHORT_HTTP_TRUSTEDPROXIES sets http.trustedProxies.
                key = DEFAULTS.keySet().stream()
                        .filter(candidate::equalsIgnoreCase)
                        .findFirst()
                        .orElse(null);
            }
            // An empty variable (COHORT_PORT= in a unit file) means "not set": the file's value or the default.
            if (key != null && !value.isBlank()) {
                values.put(key, value.trim());
            }
        });
        Config config = new Config(install, home, Map.copyOf(values));
        config.validate();
        return config;
    }

    private static boolean known(String key) {
        return DEFAULTS.containsKey(key)
                || PREFIXES.stream().anyMatch(p -> key.startsWith(p) && key.length() > p.length());
    }

    private void validate() {
        integer("http.port", 0, 65535);
        integer("db.pool.size", 1, 1000);
        integer("deploy.poll.ms", 50, 600_000);
        integer("room.joins.per.minute", 1, 1_000_000);
        integer("login.lifetime.hours", 1, 24 * 365);
        integer("shutdown.drain.seconds", 0, 300);
        Duration idle = socketIdle();
        if (idle.isZero()) {
            throw new ConfigException("socket.idle.seconds: must be above 0");
        }
        Duration ping = socketPing();
        if (!ping.isZero() && ping.compareTo(idle) >= 0) {
            throw new ConfigException("socket.ping.seconds: " + get("socket.ping.seconds")
                    + " must be below socket.idle.seconds (" + get("socket.idle.seconds") + "), or 0 for no pings");
        }
        for (String flag : List.of("scheduler.enabled", "admin.enabled")) {
            String value = get(flag);
            if (!value.equals("true") && !value.equals("false")) {
                throw new ConfigException(flag + ": '" + value + "' is not true or false");
            }
        }
        String publicUrl = get("http.public.url");
        if (!publicUrl.isEmpty() && !publicUrl.matches("(?i)https?://[^/?#\\s]+/?")) {
            throw new ConfigException("http.public.url: '" + publicUrl + "' is not an http(s) address such as"
                    + " https://study.example.org");
        }
        String url = get("db.url");
        if (!url.isEmpty() && !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("db.url: '" + url + "' is not a jdbc:postgresql: URL");
        }
        try {
            InetAddress.getByName(get("http.host"));
        } catch (UnknownHostException e) {
            throw new ConfigException("http.host: '" + get("http.host") + "' is not a known address");
        }
    }

    public String get(String key) {
        return values.getOrDefault(key, "");
    }

    public int integer(String key, int min, int max) {
        String value = get(key);
        try {
            int n = Integer.parseInt(value);
            if (n < min || n > max) {
                throw new ConfigException(key + ": " + n + " is out of range " + min + ".." + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + value + "' is not a whole number");
        }
    }

    /** A number of seconds, fractions allowed ({@code 0.5}), from 0 to {@code max}; to the millisecond. */
    public Duration seconds(String key, int max) {
        String value = get(key);
        BigDecimal n;
        try {
            n = new BigDecimal(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": '" + value + "' is not a number of seconds");
        }
        if (n.signum() < 0 || n.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new ConfigException(key + ": " + value + " is out of range 0.." + max);
        }
        return Duration.ofMillis(
                n.movePointRight(3).setScale(0, RoundingMode.HALF_UP).longValue());
    }

    /** How often each open WebSocket is pinged, so that quiet ones stay open; zero for never. */
    public Duration socketPing() {
        return seconds("socket.ping.seconds", 3_600);
    }

    /** How long Jetty keeps a WebSocket on which nothing moved either way. */
    public Duration socketIdle() {
        return seconds("socket.idle.seconds", 86_400);
    }

    public int port() {
        return integer("http.port", 0, 65535);
    }

    /**
     * Where participants reach this node: {@code http.public.url} when set, else this node's own address on the
     * loopback or its host (empty while the port is chosen at start, 0).
     */
    public String publicOrigin() {
        String configured = get("http.public.url");
        if (configured != null && !configured.isBlank()) {
            return configured.strip().replaceAll("/+$", "");
        }
        if (port() == 0) {
            return "";
        }
        String h = host();
        boolean any = h == null || h.isBlank() || h.equals("0.0.0.0") || h.equals("::");
        return "http://" + (any ? "127.0.0.1" : h.contains(":") ? "[" + h + "]" : h) + ":" + port();
    }

    public String host() {
        return get("http.host");
    }

    /** How code on this machine reaches the server listening on {@code port}: the loopback when it listens on all. */
    public String ownUrl(int port) {
        String h = host();
        boolean any = h == null || h.isBlank() || h.equals("0.0.0.0") || h.equals("::") || h.equals("[::]");
        String name = any ? "127.0.0.1" : h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h;
        return "http://" + name + ":" + port;
    }

    /** {@code node.name}, or the host name. */
    public String node() {
        String node = get("node.name");
        if (!node.isEmpty()) {
            return node;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "node";
        }
    }

    /** Admin accounts: user → bcrypt hash or plain password. */
    public Map<String, String> adminAccounts() {
        Map<String, String> accounts = new TreeMap<>();
        values.forEach((k, v) -> {
            // admin.enabled is the switch of the admin pages, not an account named "enabled".
            if (k.startsWith("admin.") && !k.equals(ADMIN_ENABLED) && !v.isEmpty()) {
                accounts.put(k.substring("admin.".length()), v);
            }
        });
        return accounts;
    }

    static final String ADMIN_ENABLED = "admin.enabled";

    /** How long a stopping node answers /healthz with 503 before it stops serving: a balancer moves traffic away. */
    public java.time.Duration drain() {
        return java.time.Duration.ofSeconds(Integer.parseInt(get("shutdown.drain.seconds")));
    }

    /** False on a participant-only node: no admin pages, admin API or logins here (answered 404). */
    public boolean adminEnabled() {
        return Boolean.parseBoolean(get(ADMIN_ENABLED));
    }

    public Path deployDir() {
        return home.resolve("deploy");
    }

    public Path dataDir() {
        return home.resolve("data");
    }

    /** A copy with one value changed (tests and the CLI use it). */
    public Config with(String key, String value) {
        Map<String, String> copy = new TreeMap<>(values);
        copy.put(key, value);
        return new Config(install, home, Map.copyOf(copy));
    }
}
