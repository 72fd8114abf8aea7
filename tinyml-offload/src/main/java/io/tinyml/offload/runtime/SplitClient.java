package io.tinyml.offload.runtime;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.ir.Model;
import io.tinyml.core.runtime.Interpreter;
import io.tinyml.offload.plan.Candidate;
import io.tinyml.offload.plan.Constraints;
import io.tinyml.offload.plan.LinkModel;
import io.tinyml.offload.plan.LinkPresets;
import io.tinyml.offload.plan.Objective;
import io.tinyml.offload.plan.SplitPlan;
import io.tinyml.offload.plan.SplitPlanner;
import io.tinyml.offload.profile.ModelProfile;
import io.tinyml.offload.profile.ModelSplit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The device side of split computing with adaptive re-planning. Each {@link #infer} runs the current
 * plan's prefix on the device (here: the reference interpreter, which is bit-exact with the generated
 * firmware), sends the cut tensors to the edge and returns the model's outputs.
 *
 * <p>Adaptation: after each offloaded request the client measures the transfer time (round trip
 * minus the edge's reported compute time) per byte on the wire and the edge time relative to the
 * profile, and smooths both with an EMA. When either drifts from the figure the current plan assumed
 * by more than the threshold (ratio above 1 + threshold either way), it re-plans with the measured
 * link (bandwidth = 8 / smoothed seconds per byte; the round trip is folded into that figure) and the
 * scaled edge times. Smoothing time per byte (not bytes per second) makes a slowdown visible after
 * one slow request. The first exchange on a new connection is not used (handshake, slow start, cold
 * caches on the edge). A device-only plan offloads one probe request every {@code probeEvery} requests
 * so that a recovered link is noticed.
 *
 * <p>Faults: if the edge cannot be reached, the connection fails or times out, or the edge answers
 * with an error, the request is finished on the device (the suffix runs locally on the prefix's
 * outputs): no request is lost. After a connection failure the edge is considered down and retried
 * every {@code probeEvery} requests.
 *
 * <p>Not thread-safe: one device, one request at a time. {@link #close()} is idempotent.
 */
public final class SplitClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SplitClient.class);

    /** How a request was served. */
    public enum Route {
        /** the edge computed the suffix */
        EDGE,
        /** the plan is device-only */
        DEVICE,
        /** offloading failed or the edge is down: finished on the device */
        FALLBACK
    }

    /**
     * One served request.
     *
     * @param requestId the request number
     * @param outputs the model's outputs
     * @param route how it was served
     * @param splitId the cut used
     * @param replanned whether this request's measurement triggered a re-plan
     */
    public record Result(long requestId, byte[][] outputs, Route route, String splitId, boolean replanned) {
    }

    private final ModelProfile baseProfile;
    private final Model model;
    private final String modelId;
    private final String deviceId;
    private final String host;
    private final int port;
    private final Objective objective;
    private final double alpha;
    private final double threshold;
    private final int probeEvery;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final SplitPlanner planner;
    private final Map<BitSet, ModelSplit> splits = new HashMap<>();
    private final Map<Model, Interpreter> interpreters = new HashMap<>();
    private final List<String> replans = new ArrayList<>();

    private LinkModel link;
    private double edgeScale = 1;
    private ModelProfile profile;
    private SplitPlan plan;
    private Ema secondsPerByte;
    private Ema edgeRatio;
    private TcpTransport transport;
    private long requests;
    private long edgeDownAt = -1;
    private long lastTransferUs;
    private boolean firstOnConnection;
    private boolean closed;

    private SplitClient(Builder b) {
        this.baseProfile = Objects.requireNonNull(b.profile, "profile");
        this.model = baseProfile.model();
        this.modelId = Objects.requireNonNull(b.modelId, "modelId");
        this.deviceId = b.deviceId;
        this.host = Objects.requireNonNull(b.host, "host");
        this.port = b.port;
        this.objective = b.objective;
        this.alpha = b.alpha;
        this.threshold = b.threshold;
        this.probeEvery = b.probeEvery;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.link = b.link;
        this.profile = baseProfile;
        this.planner = new SplitPlanner(SplitPlanner.DEFAULT_MAX_CUTS, MessageCodec.wireFormat(model, 16));
        this.secondsPerByte = new Ema(alpha);
        this.edgeRatio = new Ema(alpha);
        replan("initial plan");
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    private void replan(String why) {
        plan = planner.plan(profile.costGraph(), link, objective, Constraints.none(), null);
        Candidate c = plan.best().orElseThrow();
        String entry = "request " + requests + ": " + why + " -> " + c.label(profile.costGraph()) + String.format(
                " (%.0f bit/s, edge x%.2f, predicted %.2f ms)", link.uplinkBitsPerSecond(), edgeScale, c.latencyMs());
        replans.add(entry);
        log.info("{} {}", deviceId, entry);
    }

    /** @return every plan decision so far, the initial plan first */
    public List<String> planLog() {
        return List.copyOf(replans);
    }

    /** @return the current plan's chosen candidate */
    public Candidate current() {
        return plan.best().orElseThrow();
    }

    /** @return the link the current plan assumes */
    public LinkModel link() {
        return link;
    }

    /**
     * Runs one inference.
     *
     * @param inputs the model's inputs (raw little-endian bytes)
     * @return the outputs and how they were computed
     * @throws UnsupportedOperatorException if the interpreter cannot run a part of the model
     * @throws IllegalStateException if the client is closed
     */
    public Result infer(byte[]... inputs) throws UnsupportedOperatorException {
        if (closed) {
            throw new IllegalStateException("client closed");
        }
        long id = ++requests;
        Candidate c = current();
        boolean probe = probeEvery > 0 && id % probeEvery == 0;
        if (edgeDownAt >= 0 && !probe) {
            return new Result(id, local(inputs), Route.FALLBACK, ModelSplit.id(all()), false);
        }
        if (c.kind() == Candidate.Kind.DEVICE_ONLY) {
            if (!probe) {
                return new Result(id, local(inputs), Route.DEVICE, ModelSplit.id(c.deviceNodes()), false);
            }
            c = cheapestOffload();
        }
        ModelSplit s = splits.computeIfAbsent(c.deviceNodes(), d -> ModelSplit.of(model, d));
        long t0 = System.nanoTime();
        byte[][] pre = s.prefix() == null ? inputs : interpreter(s.prefix()).invoke(inputs);
        long deviceUs = (System.nanoTime() - t0) / 1000;
        byte[][] cut = s.cutValues(pre);
        List<WireTensor> ts = new ArrayList<>();
        for (int i = 0; i < cut.length; i++) {
            ts.add(WireTensor.of(s.sentTensorInfo().get(i), cut[i]));
        }
        SplitMessage req = SplitMessage.request(id, deviceId, modelId, s.id(), deviceUs, lastTransferUs, ts);
        SplitMessage reply;
        long sendAt;
        long reqBytes;
        try {
            if (transport == null) {
                transport = TcpTransport.connect(host, port, connectTimeout, readTimeout);
                firstOnConnection = true;
            }
            long before = transport.bytesSent() + transport.bytesReceived();
            sendAt = System.nanoTime();
            transport.send(req);
            reply = transport.receive();
            while (reply.requestId() != id) {
                log.warn("{}: ignoring a reply to request {} while waiting for {}: {}", deviceId, reply.requestId(), id,
                        reply.text());
                reply = transport.receive();
            }
            reqBytes = transport.bytesSent() + transport.bytesReceived() - before;
        } catch (IOException e) {
            log.warn("{}: edge unreachable at request {} ({}): finishing on the device", deviceId, id, e.toString());
            dropTransport();
            edgeDownAt = id;
            return new Result(id, finishLocally(s, pre), Route.FALLBACK, s.id(), false);
        }
        if (reply.type() != SplitMessage.Type.RESULT) {
            log.warn("{}: edge refused request {}: {}; finishing on the device", deviceId, id, reply.text());
            return new Result(id, finishLocally(s, pre), Route.FALLBACK, s.id(), false);
        }
        edgeDownAt = -1;
        long totalUs = (System.nanoTime() - sendAt) / 1000;
        long transferUs = Math.max(1, totalUs - reply.edgeMicros());
        lastTransferUs = transferUs;
        byte[][] post = new byte[reply.tensors().size()][];
        for (int i = 0; i < post.length; i++) {
            post[i] = reply.tensors().get(i).data();
        }
        if (firstOnConnection) {
            // a new connection's first exchange pays the handshake, TCP slow start and the edge's cold
            // interpreter for this cut: not a measurement of the link
            firstOnConnection = false;
            return new Result(id, s.assemble(pre, post), Route.EDGE, s.id(), false);
        }
        double spb = secondsPerByte.add(transferUs / 1e6 / reqBytes);
        double predictedEdgeMs = 0;
        for (int v = 0; v < model.graph().nodes().size(); v++) {
            if (!s.deviceNodes().get(v)) {
                predictedEdgeMs += baseProfile.costGraph().edgeMs(v);
            }
        }
        double ratio = predictedEdgeMs > 0 ? edgeRatio.add(reply.edgeMicros() / 1000.0 / predictedEdgeMs) : edgeScale;
        boolean replanned = false;
        double plannedSpb = 8.0 / link.uplinkBitsPerSecond();
        if (drift(spb, plannedSpb) || drift(ratio, edgeScale)) {
            link = LinkModel.of(8.0 / spb, 0);
            edgeScale = ratio;
            double[] scaled = new double[model.graph().nodes().size()];
            for (int v = 0; v < scaled.length; v++) {
                scaled[v] = baseProfile.costGraph().edgeMs(v) * edgeScale;
            }
            profile = baseProfile.withEdgeMs(scaled);
            replan(String.format("measured %.0f bit/s, edge x%.2f", 8.0 / spb, ratio));
            replanned = true;
        }
        return new Result(id, s.assemble(pre, post), Route.EDGE, s.id(), replanned);
    }

    private boolean drift(double measured, double planned) {
        double r = measured > planned ? measured / planned : planned / measured;
        return r - 1 > threshold;
    }

    private Candidate cheapestOffload() {
        Candidate best = null;
        for (Candidate k : plan.candidates()) {
            if (k.kind() != Candidate.Kind.DEVICE_ONLY && (best == null || k.upBytes() < best.upBytes())) {
                best = k;
            }
        }
        return best;
    }

    private BitSet all() {
        BitSet b = new BitSet();
        b.set(0, model.graph().nodes().size());
        return b;
    }

    private byte[][] local(byte[][] inputs) throws UnsupportedOperatorException {
        return interpreter(model).invoke(inputs);
    }

    private byte[][] finishLocally(ModelSplit s, byte[][] pre) throws UnsupportedOperatorException {
        byte[][] post = s.suffix() == null ? null : interpreter(s.suffix()).invoke(s.cutValues(pre));
        return s.assemble(pre, post);
    }

    private Interpreter interpreter(Model m) throws UnsupportedOperatorException {
        Interpreter it = interpreters.get(m);
        if (it == null) {
            it = Interpreter.create(m);
            interpreters.put(m, it);
        }
        return it;
    }

    private void dropTransport() {
        if (transport != null) {
            transport.close();
            transport = null;
        }
    }

    @Override
    public void close() {
        closed = true;
        dropTransport();
    }

    /**
     * Builds a {@link SplitClient}: profile, model id and edge address are required. Not thread-safe.
     */
    public static final class Builder {
        private ModelProfile profile;
        private String modelId;
        private String deviceId = "device";
        private String host;
        private int port;
        private LinkModel link = LinkPresets.get("wifi");
        private Objective objective = Objective.latency();
        private double alpha = 0.5;
        private double threshold = 3;
        private int probeEvery = 16;
        private Duration connectTimeout = Duration.ofSeconds(1);
        private Duration readTimeout = Duration.ofSeconds(10);

        private Builder() {
        }

        /**
         * Sets an option of the builder.
         *
         * @param p the model's profile (its model is what the device runs)
         * @return this
         */
        public Builder setProfile(ModelProfile p) {
            profile = p;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param id the model's id on the edge server
         * @return this
         */
        public Builder setModelId(String id) {
            modelId = id;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param h edge host
         * @param p its binary channel port
         * @return this
         */
        public Builder setEdge(String h, int p) {
            host = h;
            port = p;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param id this device's id (default "device")
         * @return this
         */
        public Builder optDeviceId(String id) {
            deviceId = id;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param l the link assumed until measured (default the wifi preset)
         * @return this
         */
        public Builder optLink(LinkModel l) {
            link = l;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param o the objective (default latency)
         * @return this
         */
        public Builder optObjective(Objective o) {
            objective = o;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param a EMA weight of a new measurement (default 0.5)
         * @return this
         */
        public Builder optAlpha(double a) {
            alpha = a;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param t re-plan when a smoothed figure differs from the planned one by more than this ratio, i.e. by a factor above 1 + t (default 3: a 4x change; loopback timings of a JVM vary by 2x)
         * @return this
         */
        public Builder optDriftThreshold(double t) {
            threshold = t;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param n probe the edge every n requests while it is down or the plan is device-only; 0 never (default 16)
         * @return this
         */
        public Builder optProbeEvery(int n) {
            probeEvery = n;
            return this;
        }

        /**
         * Sets an option of the builder.
         *
         * @param c connect timeout (default 1 s)
         * @param r reply timeout (default 10 s)
         * @return this
         */
        public Builder optTimeouts(Duration c, Duration r) {
            connectTimeout = c;
            readTimeout = r;
            return this;
        }

        /**
         * Builds the client and makes the initial plan.
         *
         * @return the client
         * @throws IllegalArgumentException if alpha or the threshold is out of range
         */
        public SplitClient build() {
            if (!(threshold > 0)) {
                throw new IllegalArgumentException("expected a drift threshold > 0, found " + threshold);
            }
            return new SplitClient(this);
        }
    }
}
