package io.cohort.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.function.Function;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A headless Chromium (Debian's {@code chromium} + {@code chromium-driver}) driven through Selenium, with its own
 * profile folder, so several of them in one test are several independent people. Nothing is downloaded: the driver
 * and browser are the machine's (docs/architecture.md, pitfall 9).
 */
public final class Browser implements AutoCloseable {

    private static final String DRIVER = System.getProperty("cohort.chromedriver", "/usr/bin/chromedriver");
    private static final String BINARY = System.getProperty("cohort.chromium", "/usr/bin/chromium");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Whether this machine has the browser and its driver (browser tests say why they skip otherwise). */
    public static boolean available() {
        return Files.isExecutable(Path.of(DRIVER)) && Files.isExecutable(Path.of(BINARY));
    }

    public static Browser start() {
        System.setProperty("SE_OFFLINE", "true");
        try {
            Path profile = Files.createTempDirectory("cohort-chromium-");
            ChromeOptions options = new ChromeOptions();
            options.setBinary(BINARY);
            options.addArguments(
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--window-size=1280,900",
                    "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(Path.of(DRIVER).toFile())
                    .usingAnyFreePort()
                    .build();
            ChromeDriver driver = new ChromeDriver(service, options);
            driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
            return new Browser(driver, profile);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public WebDriver driver() {
        return driver;
    }

    public Browser open(String url) {
        driver.get(url);
        return this;
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    /** Waits (up to {@code seconds}) until {@code condition} returns something other than null or false. */
    public <T> T await(int seconds, Function<WebDriver, T> condition) {
        // A live page replaces its rows as updates arrive: an element found a moment ago may be gone; look again.
        // Chromium reports an element of a page that navigated away meanwhile as an "inspector error", not as stale.
        return new WebDriverWait(driver, Duration.ofSeconds(seconds), Duration.ofMillis(100))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> {
                    try {
                        return condition.apply(d);
                    } catch (org.openqa.selenium.WebDriverException e) {
                        if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
                            return null;
                        }
                        throw e;
                    }
                });
    }

    /** Waits until an element matching {@code css} is there and returns it. */
    public WebElement awaitElement(String css) {
        return await(
                10,
                d -> d.findElements(By.cssSelector(css)).stream().findFirst().orElse(null));
    }

    /** Waits until the page's text contains {@code text}. */
    public void awaitText(String text) {
        await(10, d -> d.findElement(By.tagName("body")).getText().contains(text));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // a temp folder left behind is harmless
            }
        }
    }
}
