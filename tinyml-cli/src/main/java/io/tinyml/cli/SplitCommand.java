package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;
import io.tinyml.core.json.Json;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.offload.firmware.DeviceFirmware;
import io.tinyml.offload.plan.Candidate;
import io.tinyml.offload.plan.Constraints;
import io.tinyml.offload.plan.LinkModel;
import io.tinyml.offload.plan.LinkPresets;
import io.tinyml.offload.plan.Objective;
import io.tinyml.offload.plan.SplitPlan;
import io.tinyml.offload.plan.SplitPlanner;
import io.tinyml.offload.profile.ModelProfile;
import io.tinyml.offload.profile.ModelSplit;
import io.tinyml.offload.profile.Profiler;
import io.tinyml.offload.runtime.EdgeServer;
import io.tinyml.offload.runtime.MessageCodec;
import io.tinyml.offload.runtime.SplitClient;
import io.tinyml.offload.runtime.SplitMessage;
import io.tinyml.offload.runtime.TcpTransport;
import io.tinyml.offload.runtime.WireTensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code tinyml split MODEL --target cortex-m4 --link wifi|ble|802.15.4|lte-m|uart-BAUD [--bandwidth-kbps N]
 * [--rtt-ms N] [--objective latency|energy|weighted:W] [--json]}: plans where to cut a model between
 * device and edge; {@code split serve} runs an edge server, {@code split run} runs requests as a device.
 */
@Command(name = "split", mixinStandardHelpOptions = true,
        description = "Plans where to cut a model between device and edge server (every cut compared).",
        subcommands = {SplitCommand.Serve.class, SplitCommand.Run.class})
public final class SplitCommand implements Callable<Integer> {
    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL", description = "the model file (int8 for an int8 wire format)")
    Path model;

    @Option(names = "--target", paramLabel = "NAME", defaultValue = "cortex-m4",
            description = "device target (default: ${DEFAULT-VALUE})")
    String target;

    @Option(names = "--kernels", paramLabel = "LIB", defaultValue = "generated",
            description = "device kernels: reference, optimized or generated (default: ${DEFAULT-VALUE})")
    String kernels;

    @Option(names = "--link", paramLabel = "NAME", defaultValue = "wifi",
            description = "ble, 802.15.4, wifi, lte-m, uart-BAUD (default: ${DEFAULT-VALUE})")
    String link;

    @Option(names = "--bandwidth-kbps", paramLabel = "N", description = "override the link's bandwidth")
    Double bandwidthKbps;

    @Option(names = "--rtt-ms", paramLabel = "N", description = "override the link's round-trip time")
    Double rttMs;

    @Option(names = "--objective", paramLabel = "OBJ", defaultValue = "latency",
            description = "latency, energy or weighted:W (default: ${DEFAULT-VALUE})")
    String objective;

    @Option(names = "--max-link-bytes", paramLabel = "B", description = "most bytes the device may send per inference")
    Long maxLinkBytes;

    @Option(names = "--max-ram", paramLabel = "B", description = "most RAM the device prefix may use")
    Long maxRam;

    @Option(names = "--max-flash", paramLabel = "B", description = "most flash the device prefix may use")
    Long maxFlash;

    @Option(names = "--edge-runs", paramLabel = "N", defaultValue = "3",
            description = "interpreter runs to time the edge side (default: ${DEFAULT-VALUE})")
    int edgeRuns;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Creates the command. */
    public SplitCommand() {
    }

    static LinkModel link(String name, Double kbps, Double rtt) {
        LinkModel l = LinkPresets.get(name);
        if (kbps != null) {
            if (!(kbps > 0)) {
                throw new BadInputException("expected --bandwidth-kbps > 0, found " + kbps);
            }
            l = l.withBandwidth(kbps * 1000);
        }
        if (rtt != null) {
            if (!(rtt >= 0)) {
                throw new BadInputException("expected --rtt-ms >= 0, found " + rtt);
            }
            l = l.withRttMs(rtt);
        }
        return l;
    }

    static ModelProfile profile(Model m, String target, String kernels, int runs) throws Exception {
        Estimator est = Estimator.builder().setTarget(TargetCatalog.get(target)).optKernels(KernelLibrary.parse(kernels))
                .build();
        return Profiler.profile(m, est, runs, ProgressListener.NONE);
    }

    @Override
    public Integer call() throws Exception {
        if (model == null) {
            throw new BadInputException("expected MODEL (or a subcommand: serve, run), found none");
        }
        LinkModel l = link(link, bandwidthKbps, rttMs);
        Objective obj = Objective.parse(objective);
        Model m = ModelIO.read(model);
        ModelProfile p = profile(m, target, kernels, edgeRuns);
        Constraints c = Constraints.none();
        if (maxLinkBytes != null) {
            c = c.withMaxLinkBytes(maxLinkBytes);
        }
        if (maxRam != null) {
            c = c.withMaxDeviceRam(maxRam);
        }
        if (maxFlash != null) {
            c = c.withMaxDeviceFlash(maxFlash);
        }
        SplitPlan plan = new SplitPlanner(SplitPlanner.DEFAULT_MAX_CUTS, MessageCodec.wireFormat(m, 16))
                .plan(p.costGraph(), l, obj, c, p.prefixResources());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> map = new LinkedHashMap<>();
            map.put("model", model.getFileName().toString());
            map.put("target", target);
            map.put("profile", p.toMap());
            map.putAll(plan.toMap());
            map.put("splitId", plan.best().map(b -> ModelSplit.id(b.deviceNodes())).orElse(null));
            out.println(Json.write(map));
        } else {
            out.printf("%s on %s (%s); edge: this machine's interpreter, %.2f ms%n", model.getFileName(), target,
                    p.deviceSource(), p.edgeTotalMs());
            out.print(plan.toText());
            out.println(plan.best().map(b -> "best: " + b.label(p.costGraph()) + ", split id "
                    + ModelSplit.id(b.deviceNodes())).orElse("no cut satisfies the constraints"));
        }
        out.flush();
        return plan.best().isPresent() ? 0 : Main.EXIT_BAD_INPUT;
    }

    /** {@code tinyml split serve MODEL --id NAME [--port P] [--http-port P] [--for-seconds S]}: an edge server. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Runs an edge server (binary TCP channel + REST API) for a model.")
    static final class Serve implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "the model file")
        Path model;

        @Option(names = "--id", paramLabel = "NAME", defaultValue = "model", description = "model id (default: ${DEFAULT-VALUE})")
        String id;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "address to bind (default: ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--port", defaultValue = "0", description = "binary channel port (0: any free port)")
        int port;

        @Option(names = "--http-port", defaultValue = "0", description = "REST API port (0: any free port)")
        int httpPort;

        @Option(names = "--for-seconds", defaultValue = "0", description = "stop after this long (0: until killed)")
        long seconds;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Model m = ModelIO.read(model);
            try (EdgeServer edge = EdgeServer.builder().optHost(host).optTcpPort(port).optHttpPort(httpPort).build()) {
                edge.register(id, m);
                PrintWriter out = spec.commandLine().getOut();
                out.printf("edge server: model '%s', binary channel %s:%d, REST http://%s:%d/status%n", id, host,
                        edge.tcpPort(), host, edge.httpPort());
                out.flush();
                if (seconds > 0) {
                    Thread.sleep(seconds * 1000);
                } else {
                    Thread.currentThread().join();
                }
            }
            return 0;
        }
    }

    /**
     * {@code tinyml split run MODEL --edge HOST:PORT --id NAME --input IN.bin [--requests N] [--output OUT.bin]}:
     * runs requests as a device (the prefix in the interpreter), re-planning as the link is measured; with
     * {@code --qemu-m4-cut nodes:A-B} the device half is generated C run once on QEMU Cortex-M4.
     */
    @Command(name = "run", mixinStandardHelpOptions = true,
            description = "Runs inferences as a device against an edge server, adapting the split to the measured link.")
    static final class Run implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "MODEL", description = "the model file (the same as the edge's)")
        Path model;

        @Option(names = "--edge", required = true, paramLabel = "HOST:PORT", description = "the edge's binary channel")
        String edge;

        @Option(names = "--id", defaultValue = "model", description = "model id on the edge (default: ${DEFAULT-VALUE})")
        String id;

        @Option(names = "--device-id", defaultValue = "cli", description = "this device's id (default: ${DEFAULT-VALUE})")
        String deviceId;

        @Option(names = "--input", required = true, paramLabel = "FILE", description = "raw input tensor bytes")
        Path input;

        @Option(names = "--output", paramLabel = "FILE", description = "write the first output here")
        Path output;

        @Option(names = "--force", description = "replace an existing output file")
        boolean force;

        @Option(names = "--requests", defaultValue = "1", description = "how many inferences (default: ${DEFAULT-VALUE})")
        int requests;

        @Option(names = "--target", defaultValue = "cortex-m4", description = "device target (default: ${DEFAULT-VALUE})")
        String target;

        @Option(names = "--link", defaultValue = "wifi", description = "link assumed until measured (default: ${DEFAULT-VALUE})")
        String link;

        @Option(names = "--bandwidth-kbps", paramLabel = "N", description = "override the link's bandwidth")
        Double bandwidthKbps;

        @Option(names = "--rtt-ms", paramLabel = "N", description = "override the link's round-trip time")
        Double rttMs;

        @Option(names = "--json", description = "machine-readable output")
        boolean json;

        @Option(names = "--qemu-m4-cut", paramLabel = "SPLIT_ID",
                description = "run the device half as generated C on QEMU Cortex-M4 with this cut (e.g. nodes:0-13)")
        String qemuCut;

        @Option(names = "--work", paramLabel = "DIR", description = "where the firmware is built (with --qemu-m4-cut;"
                + " default: a temporary directory)")
        Path work;

        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        private int runOnQemu(Model m, byte[] in, int colon, int port) throws Exception {
            ModelSplit s;
            try {
                s = ModelSplit.of(m, ModelSplit.parseId(qemuCut, m.graph().nodes().size()));
            } catch (IllegalArgumentException e) {
                throw new BadInputException(e.getMessage());
            }
            if (s.prefix() == null || s.suffix() == null) {
                throw new BadInputException("expected a mixed cut for --qemu-m4-cut, found " + qemuCut
                        + " (device-only or edge-only)");
            }
            Path dir = work != null ? work : Files.createTempDirectory("tinyml-split-");
            DeviceFirmware.generate(s, "split").writeTo(dir, force);
            Path inFile = dir.resolve("in.bin");
            Files.write(inFile, in);
            DeviceFirmware.build(dir, Duration.ofMinutes(10));
            byte[][] cut = DeviceFirmware.runQemuM4(dir, inFile, s.sentTensors().size(), Duration.ofMinutes(5));
            List<WireTensor> ts = new ArrayList<>();
            for (int i = 0; i < cut.length; i++) {
                ts.add(WireTensor.of(s.sentTensorInfo().get(i), cut[i]));
            }
            SplitMessage reply;
            try (TcpTransport t = TcpTransport.connect(edge.substring(0, colon), port, Duration.ofSeconds(5),
                    Duration.ofSeconds(60))) {
                t.send(SplitMessage.request(1, deviceId, id, s.id(), 0, 0, ts));
                reply = t.receive();
            }
            if (reply.type() != SplitMessage.Type.RESULT) {
                throw new BadInputException("the edge refused the request: " + reply.text());
            }
            byte[][] post = new byte[reply.tensors().size()][];
            for (int i = 0; i < post.length; i++) {
                post[i] = reply.tensors().get(i).data();
            }
            byte[][] outs = s.assemble(cut, post);
            if (output != null) {
                Outputs.write(output, outs[0], force, model, input);
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf("device half on QEMU mps2-an386 (firmware in %s) sent %d B to %s; edge %d us%n", dir,
                    Arrays.stream(cut).mapToInt(b -> b.length).sum(), edge, reply.edgeMicros());
            out.flush();
            return 0;
        }

        @Override
        public Integer call() throws Exception {
            if (output != null) {
                Outputs.check(output, false, force, model, input);
            }
            int colon = edge.lastIndexOf(':');
            int port;
            try {
                port = Integer.parseInt(edge.substring(colon + 1));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new BadInputException("expected --edge HOST:PORT, found '" + edge + "'");
            }
            if (colon <= 0 || port <= 0 || port > 65535) {
                throw new BadInputException("expected --edge HOST:PORT, found '" + edge + "'");
            }
            if (requests < 1) {
                throw new BadInputException("expected --requests >= 1, found " + requests);
            }
            if (output != null && Files.exists(output) && !force) {
                throw new BadInputException(output + " already exists (use --force to replace it)");
            }
            Model m = ModelIO.read(model);
            byte[] in = Files.readAllBytes(input);
            int expected = m.graph().inputTensor(0).byteSize();
            if (in.length != expected || m.graph().inputs().size() != 1) {
                throw new BadInputException("expected " + expected + " input bytes for " + model.getFileName()
                        + ", found " + in.length);
            }
            if (qemuCut != null) {
                return runOnQemu(m, in, colon, port);
            }
            ModelProfile p = profile(m, target, "generated", 3);
            Map<SplitClient.Route, Integer> routes = new EnumMap<>(SplitClient.Route.class);
            byte[][] last = null;
            List<String> log;
            try (SplitClient c = SplitClient.builder().setProfile(p).setModelId(id).optDeviceId(deviceId)
                    .setEdge(edge.substring(0, colon), port).optLink(link(link, bandwidthKbps, rttMs))
                    .optTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(30)).build()) {
                for (int r = 0; r < requests; r++) {
                    SplitClient.Result res = c.infer(in);
                    routes.merge(res.route(), 1, Integer::sum);
                    last = res.outputs();
                }
                log = c.planLog();
            }
            if (output != null) {
                Outputs.write(output, last[0], force, model, input);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Map<String, Object> map = new LinkedHashMap<>();
                map.put("requests", requests);
                Map<String, Object> rm = new LinkedHashMap<>();
                routes.forEach((k, v) -> rm.put(k.name(), v));
                map.put("routes", rm);
                map.put("planLog", new ArrayList<>(log));
                List<Object> outs = new ArrayList<>();
                for (byte[] o : last) {
                    List<Integer> vals = new ArrayList<>();
                    for (byte b : o) {
                        vals.add((int) b);
                    }
                    outs.add(vals.size() <= 64 ? vals : vals.subList(0, 64));
                }
                map.put("outputs", outs);
                out.println(Json.write(map));
            } else {
                out.println("routes: " + routes);
                log.forEach(s -> out.println("plan " + s));
                if (output != null) {
                    out.println("output: " + output);
                }
            }
            out.flush();
            return 0;
        }
    }
}
