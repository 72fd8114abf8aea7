package io.tinyml.offload.runtime;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.offload.plan.Constraints;
import io.tinyml.offload.plan.LinkModel;
import io.tinyml.offload.plan.LinkPresets;
import io.tinyml.offload.plan.Objective;
import io.tinyml.offload.plan.SplitPlan;
import io.tinyml.offload.plan.SplitPlanner;
import io.tinyml.offload.profile.ModelProfile;
import io.tinyml.offload.profile.ModelSplit;
import io.tinyml.offload.profile.Profiler;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The edge half of split computing: runs the suffix of a registered model for the cut tensors a
 * device sends. Two front doors:
 *
 * <ul>
 *   <li>a binary TCP channel: {@link MessageCodec} frames, one reply (RESULT or ERROR) per request, in
 *       order; a malformed or CRC-damaged frame is rejected with a logged reason and an ERROR reply,
 *       and the connection stays open;</li>
 *   <li>a REST API on Javalin: {@code POST /models/{id}} (body: a model file; query {@code format},
 *       {@code target}, {@code kernels}) registers and profiles a model; {@code GET /models/{id}/profile};
 *       {@code GET /status} (models, devices, their messages and smoothed link figures);
 *       {@code GET /models/{id}/plan?link=wifi&bandwidthKbps=..&rttMs=..&objective=latency} evaluates
 *       every cut; {@code POST /models/{id}/infer} (body: a request frame) answers with a reply frame.</li>
 * </ul>
 *
 * <p>Thread-safe: each connection has its own thread; suffix interpreters are pooled per cut.
 * {@link #close()} stops both doors and is idempotent.
 *
 * <pre>{@code
 * try (EdgeServer edge = EdgeServer.builder().build()) {
 *     edge.register("person", model);
 *     int port = edge.tcpPort();
 * }
 * }</pre>
 */
public final class EdgeServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EdgeServer.class);
    private static final int MAX_CONNECTIONS = 256;

    private final Map<String, Registered> models = new ConcurrentHashMap<>();
    private final DeviceManager devices;
    private final Estimator estimator;
    private final int edgeRuns;
    private final Duration idleTimeout;
    private final ServerSocket server;
    private final ExecutorService pool;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger connections = new AtomicInteger();
    private final Javalin http;
    private final Thread acceptor;
    private volatile boolean closed;

    private EdgeServer(Builder b) throws IOException {
        this.devices = new DeviceManager(b.alpha);
        this.estimator = b.estimator;
        this.edgeRuns = b.edgeRuns;
        this.idleTimeout = b.idleTimeout;
        this.server = new ServerSocket(b.tcpPort, 64, InetAddress.getByName(b.host));
        this.pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "edge-conn");
            t.setDaemon(true);
            return t;
        });
        Javalin app;
        try {
            app = Javalin.create(config -> {
                config.startup.showJavalinBanner = false;
                config.routes.post("/models/{id}", this::postModel);
                config.routes.get("/models", ctx -> ctx.json(List.copyOf(models.keySet())));
                config.routes.get("/models/{id}/profile", ctx -> ctx.json(registered(ctx).profile.toMap()));
                config.routes.get("/models/{id}/plan", this::getPlan);
                config.routes.post("/models/{id}/infer", this::postInfer);
                config.routes.get("/status", ctx -> ctx.json(status()));
            }).start(b.host, b.httpPort);
        } catch (RuntimeException e) {
            server.close();
            pool.shutdownNow();
            throw new IOException("cannot start the REST API on " + b.host + ":" + b.httpPort + ": " + e.getMessage(), e);
        }
        this.http = app;
        this.acceptor = new Thread(this::acceptLoop, "edge-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        log.info("edge server: REST on {}:{}, binary channel on {}:{}", b.host, http.port(), b.host, server.getLocalPort());
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the REST API's port */
    public int httpPort() {
        return http.port();
    }

    /** @return the binary channel's port */
    public int tcpPort() {
        return server.getLocalPort();
    }

    /** @return the device manager */
    public DeviceManager devices() {
        return devices;
    }

    /**
     * Registers a model and profiles it (edge times measured here, device times from the estimator).
     *
     * @param id the model id devices will name
     * @param model the model
     * @return the profile
     * @throws UnsupportedOperatorException if the interpreter cannot run the model
     */
    public ModelProfile register(String id, Model model) throws UnsupportedOperatorException {
        ModelProfile p = Profiler.profile(model, estimator, edgeRuns, ProgressListener.NONE);
        models.put(id, new Registered(model, p));
        log.info("registered model '{}' ({} nodes): device {} ms, edge {} ms", id, model.graph().nodes().size(),
                String.format("%.2f", p.deviceTotalMs()), String.format("%.2f", p.edgeTotalMs()));
        return p;
    }

    /**
     * Serves one request: checks the model, the cut and every tensor against the model, runs the suffix.
     *
     * @param req the request
     * @return a RESULT with the suffix's outputs, or an ERROR naming what was wrong
     */
    public SplitMessage handle(SplitMessage req) {
        if (req.type() != SplitMessage.Type.REQUEST) {
            return SplitMessage.error(req.requestId(), "expected a REQUEST, found " + req.type());
        }
        Registered r = models.get(req.modelId());
        if (r == null) {
            return SplitMessage.error(req.requestId(), "unknown model '" + req.modelId() + "', expected one of "
                    + models.keySet());
        }
        Cut cut;
        try {
            cut = r.cuts.computeIfAbsent(req.splitId(), id -> new Cut(ModelSplit.of(r.model,
                    ModelSplit.parseId(id, r.model.graph().nodes().size()))));
        } catch (IllegalArgumentException e) {
            return SplitMessage.error(req.requestId(), e.getMessage());
        }
        if (cut.split.suffix() == null) {
            return SplitMessage.error(req.requestId(), "split " + req.splitId() + " leaves nothing for the edge");
        }
        List<Tensor> expected = cut.split.sentTensorInfo();
        if (req.tensors().size() != expected.size()) {
            return SplitMessage.error(req.requestId(), "expected " + expected.size() + " tensors for split "
                    + req.splitId() + ", found " + req.tensors().size());
        }
        byte[][] in = new byte[expected.size()][];
        for (int i = 0; i < in.length; i++) {
            String bad = req.tensors().get(i).mismatch(expected.get(i));
            if (bad != null) {
                return SplitMessage.error(req.requestId(), "tensor " + i + ": " + bad);
            }
            in[i] = req.tensors().get(i).dataView();
        }
        Interpreter it = cut.interpreters.poll();
        try {
            if (it == null) {
                it = Interpreter.create(cut.split.suffix());
            }
            long t0 = System.nanoTime();
            byte[][] out = it.invoke(in);
            long us = (System.nanoTime() - t0) / 1000;
            List<WireTensor> ts = new ArrayList<>();
            List<Integer> outs = cut.split.suffixOutputs();
            for (int i = 0; i < out.length; i++) {
                ts.add(WireTensor.of(r.model.graph().tensor(outs.get(i)), out[i]));
            }
            return new SplitMessage(SplitMessage.Type.RESULT, req.requestId(), req.deviceId(), req.modelId(),
                    req.splitId(), req.deviceMicros(), us, req.linkMicros(), "", ts);
        } catch (UnsupportedOperatorException | RuntimeException e) {
            log.warn("request {} of '{}' failed on the edge: {}", req.requestId(), req.deviceId(), e.toString());
            return SplitMessage.error(req.requestId(), "edge failed: " + e.getMessage());
        } finally {
            if (it != null) {
                cut.interpreters.offer(it);
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    log.warn("accept failed: {}", e.toString());
                }
                return;
            }
            if (connections.incrementAndGet() > MAX_CONNECTIONS) {
                connections.decrementAndGet();
                log.warn("refusing connection from {}: {} connections open", s.getRemoteSocketAddress(), MAX_CONNECTIONS);
                closeQuietly(s);
                continue;
            }
            open.add(s);
            pool.execute(() -> serve(s));
        }
    }

    private void serve(Socket s) {
        String peer = String.valueOf(s.getRemoteSocketAddress());
        try (s) {
            s.setTcpNoDelay(true);
            s.setSoTimeout((int) idleTimeout.toMillis());
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            while (!closed) {
                SplitMessage req;
                try {
                    req = MessageCodec.read(in);
                } catch (MessageCodec.SkippedGarbageException e) {
                    reject(out, peer, e.getMessage());
                    req = e.next();
                } catch (MalformedMessageException e) {
                    reject(out, peer, e.getMessage());
                    continue;
                }
                if (req == null) {
                    return;
                }
                long reqBytes = MessageCodec.encode(req).length;
                SplitMessage reply = handle(req);
                byte[] frame = MessageCodec.encode(reply);
                if (reply.type() == SplitMessage.Type.ERROR) {
                    log.warn("rejected request {} from '{}' ({}): {}", req.requestId(), req.deviceId(), peer, reply.text());
                    devices.rejected(req.deviceId(), reply.text());
                } else {
                    devices.served(req, reqBytes, frame.length, reply.edgeMicros());
                }
                out.write(frame);
                out.flush();
            }
        } catch (SocketTimeoutException e) {
            log.debug("closing idle connection {}", peer);
        } catch (EOFException | SocketException e) {
            log.debug("connection {} ended: {}", peer, e.toString());
        } catch (IOException e) {
            log.warn("connection {} failed: {}", peer, e.toString());
        } finally {
            open.remove(s);
            connections.decrementAndGet();
        }
    }

    private void reject(OutputStream out, String peer, String reason) throws IOException {
        log.warn("rejected a message from {}: {}", peer, reason);
        devices.rejected("(unknown)@" + peer, reason);
        out.write(MessageCodec.encode(SplitMessage.error(0, reason)));
        out.flush();
    }

    private Registered registered(Context ctx) {
        Registered r = models.get(ctx.pathParam("id"));
        if (r == null) {
            throw new io.javalin.http.NotFoundResponse("unknown model '" + ctx.pathParam("id") + "', expected one of "
                    + models.keySet());
        }
        return r;
    }

    private void postModel(Context ctx) throws Exception {
        String id = ctx.pathParam("id");
        String format = ctx.queryParam("format") == null ? "tflite" : ctx.queryParam("format");
        if (!format.matches("[a-z0-9]{1,10}")) {
            throw new io.javalin.http.BadRequestResponse("expected format like 'tflite' or 'onnx', found '" + format + "'");
        }
        byte[] body = ctx.bodyAsBytes();
        if (body.length == 0) {
            throw new io.javalin.http.BadRequestResponse("expected the model file as the request body, found none");
        }
        Path tmp = Files.createTempFile("edge-model-", "." + format);
        Model m;
        try {
            Files.write(tmp, body);
            m = ModelIO.read(tmp);
        } catch (IOException | io.tinyml.core.ModelException e) {
            throw new io.javalin.http.BadRequestResponse("cannot read the model: " + e.getMessage());
        } finally {
            Files.deleteIfExists(tmp);
        }
        ModelProfile p = register(id, m);
        ctx.status(201).json(p.toMap());
    }

    private void getPlan(Context ctx) {
        Registered r = registered(ctx);
        try {
            LinkModel link = LinkPresets.get(ctx.queryParam("link") == null ? "wifi" : ctx.queryParam("link"));
            if (ctx.queryParam("bandwidthKbps") != null) {
                link = link.withBandwidth(Double.parseDouble(ctx.queryParam("bandwidthKbps")) * 1000);
            }
            if (ctx.queryParam("rttMs") != null) {
                link = link.withRttMs(Double.parseDouble(ctx.queryParam("rttMs")));
            }
            Objective obj = Objective.parse(ctx.queryParam("objective") == null ? "latency" : ctx.queryParam("objective"));
            SplitPlan plan = new SplitPlanner(SplitPlanner.DEFAULT_MAX_CUTS, MessageCodec.wireFormat(r.model, 16))
                    .plan(r.profile.costGraph(), link, obj, Constraints.none(), null);
            Map<String, Object> m = plan.toMap();
            plan.best().ifPresent(b -> m.put("splitId", ModelSplit.id(b.deviceNodes())));
            ctx.json(m);
        } catch (IllegalArgumentException e) {
            throw new io.javalin.http.BadRequestResponse(e.getMessage());
        }
    }

    private void postInfer(Context ctx) {
        registered(ctx); // 404 for an unknown model before reading the body
        SplitMessage reply;
        try {
            SplitMessage req = MessageCodec.decode(ctx.bodyAsBytes());
            reply = req.modelId().equals(ctx.pathParam("id")) ? handle(req)
                    : SplitMessage.error(req.requestId(), "request names model '" + req.modelId() + "', the path '"
                    + ctx.pathParam("id") + "'");
            if (reply.type() == SplitMessage.Type.RESULT) {
                devices.served(req, ctx.bodyAsBytes().length, 0, reply.edgeMicros());
            } else {
                devices.rejected(req.deviceId(), reply.text());
            }
        } catch (MalformedMessageException e) {
            log.warn("rejected a message on /infer: {}", e.getMessage());
            devices.rejected("(unknown)@" + ctx.ip(), e.getMessage());
            reply = SplitMessage.error(0, e.getMessage());
        }
        ctx.status(reply.type() == SplitMessage.Type.ERROR ? 400 : 200).contentType("application/octet-stream")
                .result(MessageCodec.encode(reply));
    }

    private Map<String, Object> status() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("models", List.copyOf(models.keySet()));
        m.put("openConnections", connections.get());
        List<Object> ds = new ArrayList<>();
        for (DeviceManager.DeviceStatus d : devices.status()) {
            ds.add(d.toMap());
        }
        m.put("devices", ds);
        return m;
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", s, e.toString());
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        http.stop();
        try {
            server.close();
        } catch (IOException e) {
            log.debug("closing the server socket: {}", e.toString());
        }
        for (Socket s : open) {
            closeQuietly(s);
        }
        pool.shutdownNow();
        try {
            if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("connection threads still running after 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("edge server stopped");
    }

    private record Registered(Model model, ModelProfile profile, Map<String, Cut> cuts) {
        Registered(Model model, ModelProfile profile) {
            this(model, profile, new ConcurrentHashMap<>());
        }
    }

    private static final class Cut {
        final ModelSplit split;
        final ConcurrentLinkedQueue<Interpreter> interpreters = new ConcurrentLinkedQueue<>();

        Cut(ModelSplit split) {
            this.split = split;
        }
    }

    /** Builds an {@link EdgeServer}; every option has a default. Not thread-safe. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int httpPort;
        private int tcpPort;
        private double alpha = 0.3;
        private int edgeRuns = 3;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Estimator estimator = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4"))
                .optKernels(KernelLibrary.GENERATED).build();

        private Builder() {
        }

        /**
         * Sets an option of the builder.
         *
         * @param h address to bind (default 127.0.0.1)
         * @return this
         */
        public Builder optHost(String h) {
            host = h;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param p REST port, 0 for any free port (default)
         * @return this
         */
        public Builder optHttpPort(int p) {
            httpPort = p;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param p binary channel port, 0 for any free port (default)
         * @return this
         */
        public Builder optTcpPort(int p) {
            tcpPort = p;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param a EMA weight of the device manager (default 0.3)
         * @return this
         */
        public Builder optAlpha(double a) {
            alpha = a;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param e the estimator of device profiles (default cortex-m4, generated kernels)
         * @return this
         */
        public Builder optEstimator(Estimator e) {
            estimator = e;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param runs interpreter runs per profile (default 3)
         * @return this
         */
        public Builder optEdgeRuns(int runs) {
            edgeRuns = runs;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param d close connections idle this long (default 60 s)
         * @return this
         */
        public Builder optIdleTimeout(Duration d) {
            idleTimeout = d;
            return this;
        }

        /**
         * Starts the server.
         *
         * @return the running server
         * @throws IOException if a port cannot be bound
         */
        public EdgeServer build() throws IOException {
            return new EdgeServer(this);
        }
    }
}
