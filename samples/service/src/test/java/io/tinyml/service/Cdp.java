package io.tinyml.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Headless Chromium driven through the DevTools protocol over the JDK's WebSocket client: one page,
 * commands answered by id. {@link #close()} ends the browser.
 */
final class Cdp implements AutoCloseable {
    private final Process browser;
    private final WebSocket ws;
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    private Cdp(Process browser, WebSocket ws) {
        this.browser = browser;
        this.ws = ws;
    }

    static Cdp launch(String chromium, Path profile) throws Exception {
        Process p = new ProcessBuilder(chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
                "--disable-dev-shm-usage", "--remote-debugging-port=0", "--remote-allow-origins=*",
                "--user-data-dir=" + profile, "--window-size=1280,2200", "about:blank").redirectErrorStream(true).start();
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String wsUrl = null;
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        for (String line; wsUrl == null && (line = r.readLine()) != null; ) {
            if (line.startsWith("DevTools listening on ")) {
                wsUrl = line.substring("DevTools listening on ".length()).strip();
            }
            if (System.nanoTime() > until) {
                break;
            }
        }
        if (wsUrl == null) {
            p.destroyForcibly();
            throw new IOException("Chromium did not print its DevTools address");
        }
        Thread drain = new Thread(() -> {
            try {
                while (r.readLine() != null) {
                    // keep the pipe from filling
                }
            } catch (IOException ignored) {
                // browser gone
            }
        });
        drain.setDaemon(true);
        drain.start();
        URI u = URI.create(wsUrl);
        HttpClient http = HttpClient.newHttpClient();
        JsonNode list = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                URI.create("http://" + u.getHost() + ":" + u.getPort() + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String page = null;
        for (JsonNode t : list) {
            if ("page".equals(t.get("type").asText())) {
                page = t.get("webSocketDebuggerUrl").asText();
            }
        }
        if (page == null) {
            p.destroyForcibly();
            throw new IOException("no page target in " + list);
        }
        Cdp[] self = new Cdp[1];
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(page), new WebSocket.Listener() {
            final StringBuilder buf = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                buf.append(data);
                if (last) {
                    String msg = buf.toString();
                    buf.setLength(0);
                    try {
                        JsonNode n = Json.MAPPER.readTree(msg);
                        if (n.has("id") && self[0] != null) {
                            CompletableFuture<JsonNode> f = self[0].pending.remove(n.get("id").asInt());
                            if (f != null) {
                                f.complete(n);
                            }
                        }
                    } catch (IOException e) {
                        // not JSON: ignore
                    }
                }
                w.request(1);
                return null;
            }
        }).get(30, TimeUnit.SECONDS);
        self[0] = new Cdp(p, ws);
        return self[0];
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        pending.put(id, f);
        ObjectNode msg = Json.MAPPER.createObjectNode();
        msg.put("id", id);
        msg.put("method", method);
        msg.set("params", Json.MAPPER.valueToTree(params));
        ws.sendText(Json.MAPPER.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
        JsonNode r = f.get(60, TimeUnit.SECONDS);
        if (r.has("error")) {
            throw new IOException(method + ": " + r.get("error"));
        }
        return r.get("result");
    }

    /** Evaluates a JavaScript expression (awaiting a promise) and returns its JSON value. */
    JsonNode eval(String js) throws Exception {
        JsonNode r = call("Runtime.evaluate", Map.of("expression", js, "returnByValue", true, "awaitPromise", true));
        if (r.has("exceptionDetails")) {
            throw new IOException("script failed: " + r.get("exceptionDetails"));
        }
        return r.get("result").get("value");
    }

    void setFile(String selector, Path file) throws Exception {
        int root = call("DOM.getDocument", Map.of()).get("root").get("nodeId").asInt();
        int node = call("DOM.querySelector", Map.of("nodeId", root, "selector", selector)).get("nodeId").asInt();
        call("DOM.setFileInputFiles", Map.of("nodeId", node, "files", List.of(file.toAbsolutePath().toString())));
    }

    @Override
    public void close() {
        ws.abort();
        browser.destroy();
        try {
            if (!browser.waitFor(10, TimeUnit.SECONDS)) {
                browser.destroyForcibly();
            }
        } catch (InterruptedException e) {
            browser.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
