package ${package};

import io.cohort.platform.Config;
import io.cohort.platform.Host;
import io.cohort.testkit.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.osgi.framework.BundleContext;

/**
 * The Cohort host started inside the test's framework (on a fresh database and a free port), and an HTTP client
 * logged in with its API token. It lives here rather than in the testkit because it needs the platform, and the
 * platform's own tests use the testkit.
 */
final class TestHost implements AutoCloseable {

    private final Host host;
    private final Path home;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestHost(Host host, Path home, String token) {
        this.host = host;
        this.home = home;
        this.token = token;
    }

    /** Starts the host on the system bundle of {@code context}'s framework, as the real launcher does. */
    static TestHost start(BundleContext context) {
        try {
            Path home = Files.createTempDirectory("cohort-home");
            String token = UUID.randomUUID().toString();
            Map<String, String> env = Map.of(
                    "COHORT_DB_URL", TestDatabase.create(),
                    "COHORT_PORT", Integer.toString(freePort()),
                    "COHORT_API_TOKEN", token);
            Config config = Config.load(home, home, env);
            return new TestHost(Host.start(context.getBundle(0).getBundleContext(), config), home, token);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    HttpResponse<String> postForm(String path, Map<String, String> form) throws IOException, InterruptedException {
        StringBuilder body = new StringBuilder();
        form.forEach((name, value) -> body.append(body.length() == 0 ? "" : "&")
                .append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8)));
        return send(request(path).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(host.url()).resolve(path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() throws IOException {
        host.close();
        try (Stream<Path> files = Files.walk(home)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
