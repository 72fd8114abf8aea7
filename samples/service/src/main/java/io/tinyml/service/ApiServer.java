package io.tinyml.service;

import io.javalin.Javalin;
import io.javalin.config.SizeUnit;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.tinyml.core.target.Target;
import io.tinyml.core.target.TargetCatalog;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The REST API and web page on Javalin, with the seed service's endpoints and form fields, Bearer
 * API-key authentication, tier limits (monthly jobs → 429, upload size → 413, search → 403), users
 * confined to their own projects and jobs (another user's id → 404), job progress as Server-Sent
 * Events, and the OpenAPI document at {@code /api/docs}. Every error is a JSON object
 * {@code {"error": "...", "status": N}}. Thread-safe; {@link #close()} stops the server and is idempotent.
 *
 * <pre>{@code
 * try (ApiServer api = new ApiServer(store, dataDir, new SdkPipeline(), "127.0.0.1", 5000, 2L << 30)) {
 *     System.out.println("listening on " + api.port());
 * }
 * }</pre>
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ApiServer.class);
    private static final Set<String> PUBLIC = Set.of("/api/docs", "/api/hardware-targets", "/api/model-frameworks");
    /** Framework names of the seed API and the sniffed formats each accepts. */
    static final Map<String, Set<String>> FRAMEWORKS = Map.of(
            "tensorflow", Set.of("keras", "tflite"),
            "tflite", Set.of("tflite"),
            "onnx", Set.of("onnx"),
            "pytorch", Set.of("onnx"));
    private static final Map<String, String> TARGET_ALIASES = Map.of("arm-cortex-a", "cortex-a");
    /** Room for the form fields and multipart framing around the file. */
    private static final long FORM_OVERHEAD = 1 << 20;

    private final Store store;
    private final DataDir data;
    private final Uploads uploads;
    private final OptimizationPipeline pipeline;
    private final long serverMaxUpload;
    private final Javalin app;
    private final List<String> routes = new ArrayList<>();
    private volatile boolean closed;

    /**
     * Starts the API.
     *
     * @param store the store over the migrated database
     * @param data the data directory
     * @param pipeline the pipeline the workers run (asked whether it supports search)
     * @param host the address to bind
     * @param port the port (0 for any free one)
     * @param serverMaxUpload the largest upload in bytes whatever the tier
     */
    public ApiServer(Store store, DataDir data, OptimizationPipeline pipeline, String host, int port, long serverMaxUpload) {
        this.store = store;
        this.data = data;
        this.uploads = new Uploads(data);
        this.pipeline = pipeline;
        this.serverMaxUpload = serverMaxUpload;
        this.app = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.multipartConfig.cacheDirectory(data.tmp().toString());
            config.jetty.multipartConfig.maxFileSize(serverMaxUpload, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxTotalRequestSize(serverMaxUpload + FORM_OVERHEAD, SizeUnit.BYTES);
            config.jetty.multipartConfig.maxInMemoryFileSize(1, SizeUnit.MB);
            config.routes.before("/api/*", this::authenticate);
            route(config, "GET", "/", this::root);
            route(config, "GET", "/health", this::health);
            route(config, "GET", "/ui", ctx -> page(ctx, "index.html", "text/html; charset=utf-8"));
            route(config, "GET", "/ui/app.js", ctx -> page(ctx, "app.js", "text/javascript; charset=utf-8"));
            route(config, "GET", "/ui/style.css", ctx -> page(ctx, "style.css", "text/css; charset=utf-8"));
            route(config, "GET", "/api/docs", ctx -> page(ctx, "openapi.json", "application/json"));
            route(config, "GET", "/api/hardware-targets", this::targets);
            route(config, "GET", "/api/model-frameworks", this::frameworks);
            route(config, "POST", "/api/projects", this::createProject);
            route(config, "GET", "/api/projects", ctx -> ctx.json(Map.of("projects", store.projects(user(ctx).id()))));
            route(config, "GET", "/api/projects/{id}", this::getProject);
            route(config, "POST", "/api/projects/{id}/optimize", this::optimize);
            route(config, "GET", "/api/jobs", this::listJobs);
            route(config, "GET", "/api/jobs/{id}", this::getJob);
            route(config, "GET", "/api/jobs/{id}/events", this::events);
            route(config, "GET", "/api/jobs/{id}/results", this::results);
            route(config, "GET", "/api/jobs/{id}/download", this::download);
            route(config, "GET", "/api/subscription", ctx -> ctx.json(subscription(user(ctx))));
            route(config, "POST", "/api/subscription/upgrade", this::upgrade);
            route(config, "GET", "/api/stats", ctx -> ctx.json(store.stats()));
            config.routes.exception(ApiException.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                String m = e.getMessage() == null ? "" : e.getMessage();
                if (m.contains("exceeds") && m.toLowerCase(Locale.ROOT).contains("size")) {
                    error(ctx, 413, "upload larger than the server's limit of " + serverMaxUpload + " bytes");
                    return;
                }
                log.error("internal error on {} {}", ctx.method(), ctx.path(), e);
                error(ctx, 500, "internal error: " + Worker.oneLine(e));
            });
        }).start(host, port);
        log.info("API on http://{}:{}/ (web page /ui, database {})", host, app.port(), store.db().describe());
    }

    private void route(io.javalin.config.JavalinConfig config, String method, String path, io.javalin.http.Handler h) {
        routes.add(method + " " + path);
        if (method.equals("GET")) {
            config.routes.get(path, h);
        } else {
            config.routes.post(path, h);
        }
    }

    /** @return the routes served, as "METHOD /path/{param}" */
    public List<String> routes() {
        return List.copyOf(routes);
    }

    /** @return the port the API listens on */
    public int port() {
        return app.port();
    }

    private static void error(Context ctx, int status, String message) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("error", message);
        m.put("status", status);
        ctx.status(status).json(m);
    }

    private void authenticate(Context ctx) throws SQLException {
        if (PUBLIC.contains(ctx.path())) {
            return;
        }
        String h = ctx.header("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7) || h.length() < 8) {
            ctx.header("WWW-Authenticate", "Bearer");
            throw new ApiException(401, "expected an 'Authorization: Bearer <api key>' header, found "
                    + (h == null ? "none" : "another scheme"));
        }
        Optional<Store.User> u = store.userByKey(h.substring(7).strip());
        if (u.isEmpty()) {
            ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
            throw new ApiException(401, "unknown API key");
        }
        ctx.attribute("user", u.get());
    }

    private static Store.User user(Context ctx) {
        Store.User u = ctx.attribute("user");
        if (u == null) {
            throw new ApiException(401, "expected an 'Authorization: Bearer <api key>' header, found none");
        }
        return u;
    }

    private void root(Context ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", "TinyML Model Optimization Pipeline API");
        m.put("version", "1.0.0");
        m.put("documentation", "/api/docs");
        m.put("web_page", "/ui");
        m.put("health", "/health");
        m.put("authentication", "Authorization: Bearer <api key> (./tinyml-service create-user NAME --tier TIER)");
        ctx.json(m);
    }

    private void health(Context ctx) {
        Map<String, Object> m = new LinkedHashMap<>();
        try {
            store.stats();
            m.put("status", "healthy");
            m.put("database", "ok");
            ctx.json(m);
        } catch (SQLException e) {
            m.put("status", "unhealthy");
            m.put("database", Worker.oneLine(e));
            ctx.status(503).json(m);
        }
    }

    private static void page(Context ctx, String name, String type) throws IOException {
        try (InputStream in = ApiServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                throw new ApiException(404, "no such page: " + name);
            }
            ctx.contentType(type).result(in.readAllBytes());
        }
    }

    private void targets(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Target t : TargetCatalog.all()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("value", t.name());
            m.put("name", t.description());
            m.put("clock_mhz", t.clockMhz());
            m.put("ram_kb", t.ramBytes() / 1024);
            m.put("flash_kb", t.flashBytes() / 1024);
            m.put("power_mw", t.activePowerMw() > 0 ? t.activePowerMw() : null);
            out.add(m);
        }
        ctx.json(Map.of("hardware_targets", out));
    }

    private void frameworks(Context ctx) {
        List<Map<String, Object>> out = new ArrayList<>();
        out.add(fw("tensorflow", "TensorFlow / Keras", List.of(".h5", ".tflite")));
        out.add(fw("tflite", "TensorFlow Lite", List.of(".tflite")));
        out.add(fw("onnx", "ONNX", List.of(".onnx")));
        out.add(fw("pytorch", "PyTorch (through its ONNX export)", List.of(".onnx")));
        ctx.json(Map.of("model_frameworks", out));
    }

    private static Map<String, Object> fw(String value, String name, List<String> ext) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("value", value);
        m.put("name", name);
        m.put("extensions", ext);
        return m;
    }

    private void createProject(Context ctx) throws SQLException {
        Map<String, Object> body;
        try {
            body = Json.readMap(ctx.body());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "expected a JSON object with a 'name', found invalid JSON");
        }
        Object name = body.get("name");
        if (!(name instanceof String s) || s.isBlank() || s.length() > 255) {
            throw new ApiException(400, "expected a project 'name' of 1 to 255 characters, found "
                    + (name == null ? "none" : "'" + name + "'"));
        }
        Object d = body.get("description");
        if (d != null && (!(d instanceof String ds) || ds.length() > 4000)) {
            throw new ApiException(400, "expected a 'description' string of at most 4000 characters");
        }
        ctx.status(201).json(store.createProject(user(ctx).id(), s.strip(), (String) d));
    }

    private long projectId(Context ctx) {
        try {
            return Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new ApiException(404, "no project " + ctx.pathParam("id"));
        }
    }

    private void getProject(Context ctx) throws SQLException {
        Store.User u = user(ctx);
        long id = projectId(ctx);
        Map<String, Object> p = store.project(u.id(), id).orElseThrow(() -> new ApiException(404, "no project " + id));
        p.put("optimization_jobs", store.jobs(u.id(), id, 1000).stream().map(ApiServer::jobJson).toList());
        ctx.json(p);
    }

    private void listJobs(Context ctx) throws SQLException {
        ctx.json(Map.of("jobs", store.jobs(user(ctx).id(), null, 100).stream().map(ApiServer::jobJson).toList()));
    }

    private Job job(Context ctx) throws SQLException {
        String id = ctx.pathParam("id");
        return store.job(user(ctx).id(), id).orElseThrow(() -> new ApiException(404, "no job " + id));
    }

    private void getJob(Context ctx) throws SQLException {
        Job j = job(ctx);
        Map<String, Object> m = jobJson(j);
        List<Map<String, Object>> logLines = new ArrayList<>();
        for (Store.Event e : store.events(j.id(), 0)) {
            logLines.add(eventJson(e));
        }
        m.put("log", logLines);
        ctx.json(m);
    }

    private void results(Context ctx) throws SQLException {
        Job j = job(ctx);
        if (!"completed".equals(j.status())) {
            throw new ApiException(409, "optimization not completed yet: job " + j.jobId() + " is " + j.status()
                    + (j.errorMessage() == null ? "" : " (" + j.errorMessage() + ")"));
        }
        Map<String, Object> m = jobJson(j);
        m.putAll(Json.readMap(j.resultJson()));
        m.put("download_url", "/api/jobs/" + j.jobId() + "/download");
        ctx.json(m);
    }

    private void download(Context ctx) throws SQLException, IOException {
        Job j = job(ctx);
        if (!"completed".equals(j.status()) || j.resultFile() == null) {
            throw new ApiException(409, "optimized model not available: job " + j.jobId() + " is " + j.status());
        }
        Path f = data.result(j.resultFile());
        if (!Files.isRegularFile(f)) {
            throw new ApiException(410, "the result archive of job " + j.jobId() + " is no longer stored");
        }
        ctx.contentType("application/zip");
        ctx.header("Content-Disposition", "attachment; filename=\"tinyml-" + j.jobId() + ".zip\"");
        ctx.result(Files.newInputStream(f));
    }

    private void events(Context ctx) throws Exception {
        Job first = job(ctx);
        String accept = ctx.header("Accept");
        if (accept == null || !accept.contains("text/event-stream")) {
            throw new ApiException(406, "expected 'Accept: text/event-stream' for the event stream, found "
                    + (accept == null ? "none" : "'" + accept + "'"));
        }
        long after = parseLong(ctx.header("Last-Event-ID"), 0);
        new SseHandler(client -> stream(client, first, after)).handle(ctx);
    }

    private void stream(SseClient client, Job first, long afterId) {
        long after = afterId;
        try {
            Job j = first;
            while (!closed && !client.terminated()) {
                List<Store.Event> evs = store.events(j.id(), after);
                for (Store.Event e : evs) {
                    client.sendEvent("progress", Json.write(eventJson(e)), Long.toString(e.id()));
                    after = e.id();
                }
                if (j.terminal() && evs.isEmpty()) {
                    client.sendEvent("end", Json.write(jobJson(j)));
                    break;
                }
                Thread.sleep(250);
                j = store.job(j.userId(), j.jobId()).orElseThrow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException | RuntimeException e) {
            log.warn("event stream of job {} ended: {}", first.jobId(), e.toString());
        } finally {
            client.close();
        }
    }

    private static long parseLong(String s, long dflt) {
        try {
            return s == null ? dflt : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    private Map<String, Object> subscription(Store.User u) throws SQLException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", u.name());
        m.put("tier", u.tier().apiName());
        m.put("optimizations_used", store.jobsThisMonth(u.id()));
        m.put("optimizations_limit", u.tier().jobsPerMonth());
        m.put("max_model_size_mb", u.tier().maxUploadMb());
        m.put("nas", u.tier().nas());
        m.put("priority", u.tier().priority() > 0);
        m.put("period", "calendar month (UTC)");
        return m;
    }

    private void upgrade(Context ctx) throws SQLException {
        Map<String, Object> body;
        try {
            body = Json.readMap(ctx.body());
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "expected a JSON object with a 'tier', found invalid JSON");
        }
        Tier t;
        try {
            t = Tier.parse(String.valueOf(body.get("tier")));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, e.getMessage());
        }
        Store.User u = user(ctx);
        store.setTier(u.id(), t);
        ctx.json(subscription(new Store.User(u.id(), u.name(), t)));
    }

    private void optimize(Context ctx) throws SQLException, IOException {
        Store.User u = user(ctx);
        long pid = projectId(ctx);
        store.project(u.id(), pid).orElseThrow(() -> new ApiException(404, "no project " + pid));
        int limit = u.tier().jobsPerMonth();
        if (limit >= 0 && store.jobsThisMonth(u.id()) >= limit) {
            throw new ApiException(429, "monthly optimization quota reached: tier " + u.tier().apiName() + " allows "
                    + limit + " jobs a month");
        }
        long maxFile = u.tier().maxUploadBytes(serverMaxUpload);
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxFile + FORM_OVERHEAD) {
            throw new ApiException(413, "upload of " + declared + " bytes is larger than tier " + u.tier().apiName()
                    + "'s limit of " + maxFile + " bytes");
        }
        if (ctx.contentType() == null || !ctx.contentType().toLowerCase(Locale.ROOT).startsWith("multipart/form-data")) {
            throw new ApiException(400, "expected a multipart/form-data body with a model_file, found "
                    + (ctx.contentType() == null ? "no content type" : ctx.contentType()));
        }
        Map<String, Object> params = params(ctx, u);
        UploadedFile model = ctx.uploadedFile("model_file");
        if (model == null) {
            throw new ApiException(400, "expected a file field 'model_file', found none");
        }
        UploadedFile ds = ctx.uploadedFile("dataset_file");
        Uploads.Stored m = null;
        Uploads.Stored d = null;
        boolean ok = false;
        try {
            m = uploads.model(model.content(), maxFile);
            Set<String> accepted = FRAMEWORKS.get((String) params.get("model_framework"));
            if (!accepted.contains(m.format())) {
                throw new ApiException(400, "model_framework " + params.get("model_framework") + " expects a "
                        + accepted + " model, found " + m.format());
            }
            if (ds != null) {
                d = uploads.dataset(ds.content(), maxFile);
            }
            String name = model.filename() == null ? null : Path.of(model.filename().replace('\\', '/')).getFileName() == null
                    ? null : Path.of(model.filename().replace('\\', '/')).getFileName().toString();
            Store.NewJob nj = new Store.NewJob(UUID.randomUUID().toString(), pid, Json.write(params), m.name(), m.format(),
                    name == null ? null : name.substring(0, Math.min(255, name.length())), d == null ? null : d.name(),
                    m.size());
            Job j = store.insertJob(u, nj);
            ok = true;
            ctx.status(201).json(jobJson(j));
        } catch (Store.QuotaExceeded e) {
            throw new ApiException(429, e.getMessage());
        } finally {
            if (!ok) {
                if (m != null) {
                    Files.deleteIfExists(data.upload(m.name()));
                }
                if (d != null) {
                    Files.deleteIfExists(data.upload(d.name()));
                }
            }
        }
    }

    private Map<String, Object> params(Context ctx, Store.User u) {
        Map<String, Object> p = new LinkedHashMap<>();
        String target = required(ctx, "hardware_target").toLowerCase(Locale.ROOT);
        target = TARGET_ALIASES.getOrDefault(target, target);
        if (TargetCatalog.find(target).isEmpty()) {
            throw new ApiException(400, "hardware_target: expected one of " + TargetCatalog.all().stream()
                    .map(Target::name).toList() + ", found '" + target + "'");
        }
        p.put("hardware_target", target);
        String fw = required(ctx, "model_framework").toLowerCase(Locale.ROOT);
        if (!FRAMEWORKS.containsKey(fw)) {
            throw new ApiException(400, "model_framework: expected one of [tensorflow, tflite, onnx, pytorch], found '"
                    + fw + "'");
        }
        p.put("model_framework", fw);
        p.put("target_size_kb", (int) number(ctx, "target_size_kb", 100, 1, 1 << 21));
        p.put("target_accuracy_threshold", number(ctx, "target_accuracy_threshold", 0.95, 0, 1));
        p.put("enable_quantization", bool(ctx, "enable_quantization", true));
        p.put("enable_pruning", bool(ctx, "enable_pruning", true));
        boolean nas = bool(ctx, "enable_nas", false);
        if (nas && !u.tier().nas()) {
            throw new ApiException(403, "enable_nas: architecture search needs tier pro or enterprise, found tier "
                    + u.tier().apiName());
        }
        if (nas && !pipeline.supportsNas()) {
            throw new ApiException(501, "enable_nas: architecture search is not available in this build of the service");
        }
        p.put("enable_nas", nas);
        String q = Optional.ofNullable(ctx.formParam("quantization_type")).orElse("int8").strip().toLowerCase(Locale.ROOT);
        if (!Set.of("int8", "int16x8", "fp16").contains(q)) {
            throw new ApiException(400, "quantization_type: expected int8, int16x8 or fp16, found '" + q + "'");
        }
        p.put("quantization_type", q);
        double s = number(ctx, "pruning_sparsity", 0.5, 0, 0.95);
        p.put("pruning_sparsity", s);
        return p;
    }

    private static String required(Context ctx, String field) {
        String v = ctx.formParam(field);
        if (v == null || v.isBlank()) {
            throw new ApiException(400, field + ": required, found none");
        }
        return v.strip();
    }

    private static double number(Context ctx, String field, double dflt, double min, double max) {
        String v = ctx.formParam(field);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        double x;
        try {
            x = Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new ApiException(400, field + ": expected a number, found '" + v + "'");
        }
        if (!(x >= min && x <= max)) {
            throw new ApiException(400, field + ": expected a number in [" + min + ", " + max + "], found " + v.strip());
        }
        return x;
    }

    private static boolean bool(Context ctx, String field, boolean dflt) {
        String v = ctx.formParam(field);
        if (v == null || v.isBlank()) {
            return dflt;
        }
        return switch (v.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new ApiException(400, field + ": expected true or false, found '" + v + "'");
        };
    }

    static Map<String, Object> jobJson(Job j) {
        Map<String, Object> p = Json.readMap(j.params());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", j.id());
        m.put("job_id", j.jobId());
        m.put("project_id", j.projectId());
        m.put("model_framework", p.get("model_framework"));
        m.put("model_format", j.modelFormat());
        m.put("original_filename", j.originalFilename());
        m.put("hardware_target", p.get("hardware_target"));
        m.put("target_size_kb", p.get("target_size_kb"));
        m.put("target_accuracy_threshold", p.get("target_accuracy_threshold"));
        m.put("enable_quantization", p.get("enable_quantization"));
        m.put("enable_pruning", p.get("enable_pruning"));
        m.put("enable_nas", p.get("enable_nas"));
        m.put("quantization_type", p.get("quantization_type"));
        m.put("pruning_sparsity", p.get("pruning_sparsity"));
        m.put("status", j.status());
        m.put("stage", j.stage());
        m.put("progress_percentage", j.progress());
        m.put("attempts", j.attempts());
        m.put("created_at", Json.iso(j.createdAt()));
        m.put("started_at", Json.iso(j.startedAt()));
        m.put("completed_at", Json.iso(j.completedAt()));
        m.put("original_size_bytes", j.originalSizeBytes());
        m.put("optimized_size_bytes", j.optimizedSizeBytes());
        m.put("accuracy_before", j.accuracyBefore());
        m.put("accuracy_after", j.accuracyAfter());
        m.put("compression_ratio", j.optimizedSizeBytes() == null || j.optimizedSizeBytes() == 0 ? null
                : Math.round(100.0 * j.originalSizeBytes() / j.optimizedSizeBytes()) / 100.0);
        m.put("error_message", j.errorMessage());
        return m;
    }

    private static Map<String, Object> eventJson(Store.Event e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id());
        m.put("at", Json.iso(e.at()));
        m.put("stage", e.stage());
        m.put("progress", e.progress());
        m.put("message", e.message());
        return m;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        app.stop();
    }
}
