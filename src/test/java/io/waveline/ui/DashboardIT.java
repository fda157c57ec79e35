package io.waveline.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import io.waveline.rollout.PackagedService;

/**
 * The dashboard in a real browser (Debian's chromium through chromium-driver, Selenium) against the packaged service
 * on the simulated fleet, logged in with tokens of three roles: an admin (the demo token), an approver and a viewer.
 * Screenshots of the pages go to {@code target/dashboard-screenshots} (the README's come from there). Skipped
 * without chromium, unless {@code WAVELINE_REQUIRE_BROWSER=1} ({@code .ci/run} installs it and sets it).
 */
class DashboardIT {

    static final String ADMIN = "dash-admin-token";
    static final String APPROVER = "ann-approver-token";
    static final String VIEWER = "vic-viewer-token";

    static PackagedService service;
    static String base;
    WebDriver browser;
    WebDriverWait wait;

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        boolean ready = Files.isExecutable(Path.of("/usr/bin/chromium")) && Files.isExecutable(Path.of("/usr/bin/chromedriver"));
        if ("1".equals(System.getenv("WAVELINE_REQUIRE_BROWSER"))) {
            assertThat(ready).as("chromium and chromium-driver are required (WAVELINE_REQUIRE_BROWSER=1)").isTrue();
        }
        Assumptions.assumeTrue(ready, "chromium or chromium-driver missing (apt-get install chromium chromium-driver)");
        service = new PackagedService("dashboard", dir, ADMIN, Map.of("waveline.data-dir", dir.toString(),
                "waveline.sim.install-duration", "1s", "waveline.sim.reboot-duration", "1s", "waveline.engine.poll-interval", "0.2s",
                "waveline.plans-dir", Path.of("rollout-plans").toAbsolutePath().toString(),
                "waveline.auth.tokens", "ann:approver:" + sha256(APPROVER) + ",vic:viewer:" + sha256(VIEWER))).start();
        base = "http://localhost:" + service.port;
    }

    @AfterAll
    static void stop() throws Exception {
        if (service != null) {
            service.close();
        }
    }

    @BeforeEach
    void open() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000");
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(new File("/usr/bin/chromedriver"))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(driver, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(90));
    }

    @AfterEach
    void close() {
        if (browser != null) {
            browser.quit();
        }
    }

    void logIn(String token) {
        browser.get(base + "/ui/login");
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.id("log-in")).click();
        wait.until(ExpectedConditions.urlContains("/ui/rollouts"));
    }

    void screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "dashboard-screenshots"));
        Files.write(dir.resolve(name + ".png"), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }

    @Test
    void theDemosBadPlanStartedFromTheDashboardShowsTheCanaryFailingAndTheRollbackWithoutAReload() throws Exception {
        logIn(ADMIN);
        browser.get(base + "/ui/plans/demo-bad-driver");
        browser.findElement(By.id("start-rollout")).click();
        wait.until(ExpectedConditions.urlMatches(".*/ui/rollouts/\\d+$"));
        wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector(".board")));
        ((JavascriptExecutor) browser).executeScript("window.sameDocument = 'yes';");

        wait.until(ExpectedConditions.textToBe(By.id("rollout-state"), "ROLLED_BACK"));
        assertThat(((JavascriptExecutor) browser).executeScript("return window.sameDocument;")).as("no reload: the board updated in place")
                .isEqualTo("yes");
        assertThat(browser.findElement(By.id("halt-reason")).getText()).contains("1 node(s) of wave canary failed");
        WebElement canary = browser.findElement(By.cssSelector("section[aria-label='wave canary'] .tile"));
        assertThat(canary.getAttribute("data-state")).isEqualTo("ROLLED_BACK");
        assertThat(canary.getText()).contains("rolled_back").containsPattern("gpu-inventory: GPU \\d+ .*missing");
        assertThat(browser.findElements(By.cssSelector("section[aria-label='wave fleet'] .tile[data-state='SKIPPED']"))).hasSize(15);
        canary.click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("node-detail"), "node.failed"));
        screenshot("rollout");
    }

    @Test
    void anApprovalGateIsApprovedWithTheButtonByAnApproverAndTheButtonIsAbsentForAViewer() throws Exception {
        long id = service.startRollout(Files.readString(Path.of("rollout-plans/h100-driver-570.yaml")));
        logIn(VIEWER);
        browser.get(base + "/ui/rollouts/" + id);
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("approval-note")));
        assertThat(browser.findElements(By.id("approve"))).as("a viewer has no approve button").isEmpty();
        assertThat(browser.findElements(By.cssSelector("button.command"))).as("nor any other command").isEmpty();
        assertThat(browser.findElement(By.id("approval-note")).getText()).contains("waits for an approver");

        browser.manage().deleteAllCookies();
        logIn(APPROVER);
        browser.get(base + "/ui/rollouts/" + id);
        WebElement approve = wait.until(ExpectedConditions.elementToBeClickable(By.id("approve")));
        approve.click();
        wait.until(ExpectedConditions.invisibilityOfElementLocated(By.id("approve")));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector("section[aria-label='wave canary'] h2"), "running"));
        assertThat(browser.findElements(By.id("approval-note"))).isEmpty();
        screenshot("rollout-approved");
        service.post("/api/v1/rollouts/" + id + "/abort", "", 200);
    }

    @Test
    void thePreviewPageShowsTheWavesAndTheTimelineOfAShippedPlan() throws Exception {
        logIn(VIEWER);
        browser.get(base + "/ui/plans/h100-driver-570");
        List<String> waves = browser.findElements(By.cssSelector("#waves tbody tr td:first-child")).stream().map(WebElement::getText).toList();
        assertThat(waves).containsExactly("canary", "staged", "fleet");
        assertThat(browser.findElements(By.cssSelector("#timeline .bar .wave"))).hasSize(3);
        assertThat(browser.findElement(By.id("nodes-to-upgrade")).getText()).isEqualTo("16");
        assertThat(browser.findElement(By.id("min-in-service")).getText()).isEqualTo("75.0 %");
        assertThat(browser.findElements(By.id("start-rollout"))).as("a viewer cannot start one").isEmpty();
        screenshot("preview");
        browser.get(base + "/ui/fleet");
        assertThat(browser.findElements(By.cssSelector("section[aria-label='pool h100'] .tile"))).hasSize(16);
        screenshot("fleet");
    }

    @Test
    void aBrokenPlanEditedInThePageShowsItsErrorAtItsLine() {
        logIn(VIEWER);
        browser.get(base + "/ui/plans/demo-good-driver");
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("check-result"), "valid"));
        WebElement editor = browser.findElement(By.id("plan-text"));
        String text = editor.getAttribute("value");
        List<String> lines = text.lines().toList();
        int line = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("maxUnavailable:")) {
                line = i + 1;
                break; // the first: the one replaced below
            }
        }
        assertThat(line).as("the shipped plan has a maxUnavailable").isPositive();
        String broken = text.replaceFirst("maxUnavailable: [^\\n]+", "maxUnavailable: lots");
        ((JavascriptExecutor) browser).executeScript("arguments[0].value = arguments[1];", editor, broken);
        editor.sendKeys(Keys.END); // a key typed in the editor: htmx checks the text again
        wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("check-result"), "error(s)"));
        List<WebElement> errors = browser.findElements(By.cssSelector("#plan-check li.error[data-line='" + line + "']"));
        assertThat(errors).as(browser.findElement(By.id("plan-check")).getText()).hasSize(1);
        assertThat(errors.get(0).getText()).startsWith("line " + line + ", column ").contains("spec.limits.maxUnavailable").contains("\"lots\" is not allowed");
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
