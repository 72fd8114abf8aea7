package io.tinyml.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.tinyml.core.testing.Assets;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web page in headless Chromium (Debian package {@code chromium}): enter the API key, upload a model
 * and a dataset archive through the form, watch the job's progress (Server-Sent Events) reach 100 %, open
 * the results and find the per-layer memory and latency charts and the accuracy/size trade-off plot;
 * a screenshot goes to {@code target/service-ui.png}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WebPageTest {
    static String chromium() {
        for (String c : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
            if (Files.isExecutable(Path.of(c))) {
                return c;
            }
        }
        String why = "Chromium not installed (Debian package chromium)";
        if (Boolean.getBoolean("tinyml.assets.required")) {
            throw new AssertionError(why + ": required in CI");
        }
        Assumptions.abort(why);
        return null;
    }

    @Test
    void uploadWatchProgressAndSeeCharts() throws Exception {
        String chrome = chromium();
        Path dir = ServiceFixture.freshDir("web");
        Path model = Assets.require("models/pytorch/tiny_digits.onnx");
        Path data = dir.resolve("digits.zip");
        Files.write(data, TestFiles.mnistZip(Assets.require("datasets/mnist10k"), 600));
        try (Service s = ServiceFixture.start(ServiceFixture.h2Url(dir), dir, 1, 10_000);
             Cdp page = Cdp.launch(chrome, dir.resolve("chrome-profile"))) {
            String key = s.store().createUser("webuser", Tier.PRO);
            page.call("Page.enable", Map.of());
            page.call("Page.navigate", Map.of("url", "http://127.0.0.1:" + s.port() + "/ui"));
            waitFor(page, "document.readyState === 'complete' && document.querySelectorAll('#hardware_target option').length > 5");
            page.eval("document.getElementById('api-key').value = '" + key + "';"
                    + "document.querySelector('#key-form button').click(); true");
            waitFor(page, "document.getElementById('account').textContent.includes('webuser · pro')");
            page.eval("document.getElementById('hardware_target').value = 'cortex-m4';"
                    + "document.getElementById('model_framework').value = 'pytorch';"
                    + "document.getElementById('pruning_sparsity').value = '0.25';"
                    + "document.getElementById('new-project').value = 'digits from the browser'; true");
            page.setFile("#model_file", model);
            page.setFile("#dataset_file", data);
            page.eval("document.getElementById('submit').click(); true");
            waitFor(page, "document.querySelector('#job-rows tr') !== null");
            List<String> seen = new ArrayList<>();
            // a hang guard that counts polls (3,600 x 50 ms), not an assertion on elapsed time
            for (int poll = 0; ; poll++) {
                JsonNode row = page.eval("(() => { const r = document.querySelector('#job-rows tr');"
                        + " return r.dataset.status + ' ' + r.querySelector('.pct').textContent; })()");
                String v = row.asText();
                if (seen.isEmpty() || !seen.get(seen.size() - 1).equals(v)) {
                    seen.add(v);
                }
                if (v.startsWith("completed") || v.startsWith("failed")) {
                    break;
                }
                assertTrue(poll < 3_600, "progress stuck: " + seen);
                Thread.sleep(50);
            }
            System.out.println("progress seen in the page: " + seen);
            assertEquals("completed 100 %", seen.get(seen.size() - 1), seen.toString());
            assertTrue(seen.size() >= 3, "live progress between submission and completion: " + seen);
            page.eval("document.querySelector('#job-rows tr .show-results').click(); true");
            waitFor(page, "document.querySelectorAll('#tradeoff svg circle.point').length >= 3");
            int memBars = page.eval("document.querySelectorAll('#layer-memory svg rect').length").asInt();
            int latBars = page.eval("document.querySelectorAll('#layer-latency svg rect').length").asInt();
            int points = page.eval("document.querySelectorAll('#tradeoff svg circle.point').length").asInt();
            String summary = page.eval("document.getElementById('summary').textContent").asText();
            System.out.println("charts: " + memBars + " memory bars, " + latBars + " latency bars, " + points
                    + " trade-off points; summary: " + summary);
            assertTrue(memBars > 5 && memBars == latBars, memBars + " / " + latBars);
            assertTrue(summary.contains("accuracy") && !summary.contains("— → —"), "measured accuracy shown: " + summary);
            JsonNode job = new Http(s.port(), key).get("/api/jobs").json().get("jobs").get(0);
            // tiny_digits scores 0.972 in PyTorch (assets NOTICE); 25 % of its channels pruned, then int8
            assertTrue(job.get("accuracy_before").asDouble() > 0.95, job.toString());
            assertTrue(job.get("accuracy_after").asDouble() > 0.7, job.toString());
            page.call("Emulation.setDeviceMetricsOverride", Map.of("width", 1280, "height", 2200, "deviceScaleFactor", 1,
                    "mobile", false));
            String png = page.call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true))
                    .get("data").asText();
            Path shot = Path.of("target", "service-ui.png");
            Files.write(shot, Base64.getDecoder().decode(png));
            assertTrue(Files.size(shot) > 20_000);
        }
    }

    static void waitFor(Cdp page, String condition) throws Exception {
        // a hang guard that counts polls (1,800 x 50 ms), not an assertion on elapsed time
        for (int poll = 0; !page.eval("!!(" + condition + ")").asBoolean(); poll++) {
            assertTrue(poll < 1_800, "timed out waiting for " + condition);
            Thread.sleep(50);
        }
    }
}
