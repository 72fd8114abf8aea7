package io.tinyml.offload.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tinyml.core.ProgressListener;
import io.tinyml.core.estimate.Estimator;
import io.tinyml.core.estimate.KernelLibrary;
import io.tinyml.core.ir.Model;
import io.tinyml.core.target.TargetCatalog;
import io.tinyml.offload.TestModels;
import io.tinyml.offload.profile.ModelProfile;
import io.tinyml.offload.profile.Profiler;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Locale;

/**
 * The planner on kws, person_detect and ResNet-8 (int8) for a Cortex-M4 at 84 MHz (estimator,
 * generated kernels) and this machine's interpreter as the edge, at 5 bandwidths from 10 kbit/s
 * to 100 Mbit/s with a 5 ms round trip. Prints the chosen cut and every candidate's terms.
 */
class PlanOnModelsTest {
    static final double[] BANDWIDTHS = {10e3, 100e3, 1e6, 10e6, 100e6};

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kws", "person_detect", "resnet8"})
    void deviceOnlyOnTheSlowestLinkEdgeOnlyOnTheFastestMixedWhereItWins(String name) throws Exception {
        Model m = switch (name) {
            case "kws" -> TestModels.kws();
            case "person_detect" -> TestModels.person();
            default -> TestModels.resnet8();
        };
        Estimator est = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4"))
                .optKernels(KernelLibrary.GENERATED).build();
        ModelProfile p = Profiler.profile(m, est, 5, ProgressListener.NONE);
        CostGraph g = p.costGraph();
        SplitPlanner planner = new SplitPlanner();
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "%n== %s: %d nodes, %d cuts; device %.2f ms (%s), edge %.2f ms (interpreter, this machine)%n", name,
                g.nodeCount(), SplitPlanner.cuts(g, 1_000_000).size(), p.deviceTotalMs(), p.deviceSource(),
                p.edgeTotalMs()));
        SplitPlan[] plans = new SplitPlan[BANDWIDTHS.length];
        for (int i = 0; i < BANDWIDTHS.length; i++) {
            LinkModel link = LinkModel.of(BANDWIDTHS[i], 5);
            plans[i] = planner.plan(g, link, Objective.latency(), Constraints.none(), null);
            Candidate b = plans[i].best().orElseThrow();
            sb.append(String.format(Locale.ROOT, "%10.0f bit/s: best %-60s %9.2f ms | device-only %9.2f | edge-only %9.2f"
                            + " | best mixed %s%n", BANDWIDTHS[i], b.label(g), b.latencyMs(),
                    plans[i].deviceOnly().latencyMs(), plans[i].edgeOnly().latencyMs(),
                    plans[i].bestMixed().map(c -> String.format(Locale.ROOT, "%.2f (%s)", c.latencyMs(), c.label(g)))
                            .orElse("-")));
            // the best is no worse than every candidate (the report lists all)
            for (Candidate c : plans[i].candidates()) {
                assertTrue(b.latencyMs() <= c.latencyMs() + 1e-9);
            }
        }
        sb.append(plans[2].toText());
        // a finer sweep (40 log-spaced rates): where, if anywhere, a mixed cut beats both ends
        StringBuilder mixed = new StringBuilder();
        for (int i = 0; i <= 40; i++) {
            double bw = 10e3 * Math.pow(10, i / 10.0);
            SplitPlan sp = planner.plan(g, LinkModel.of(bw, 5), Objective.latency(), Constraints.none(), null);
            if (sp.best().get().kind() == Candidate.Kind.MIXED) {
                mixed.append(String.format(Locale.ROOT, " %.0f", bw));
            }
        }
        sb.append("mixed wins (latency, rtt 5 ms) at bit/s:").append(mixed.length() == 0 ? " none" : mixed)
                .append(System.lineSeparator());
        // the presets, latency and device-energy objectives
        for (String preset : LinkPresets.names()) {
            LinkModel l = LinkPresets.get(preset);
            Candidate lat = planner.plan(g, l, Objective.latency(), Constraints.none(), null).best().orElseThrow();
            SplitPlan ep = planner.plan(g, l, Objective.energy(), Constraints.none(), null);
            Candidate en = ep.best().orElseThrow();
            sb.append(String.format(Locale.ROOT, "%-12s latency: %-45s %9.2f ms | energy: %-45s %9.1f uJ (device-only"
                            + " %.1f uJ)%n", preset, lat.label(g), lat.latencyMs(), en.label(g), en.energyUj(),
                    ep.deviceOnly().energyUj()));
            assertTrue(en.energyUj() <= ep.deviceOnly().energyUj() + 1e-9);
        }
        System.out.print(sb);
        assertEquals(Candidate.Kind.DEVICE_ONLY, plans[0].best().orElseThrow().kind(), "10 kbit/s: device-only");
        // edge-only on the fastest link where the edge is faster: asserted on the profile whose per-node
        // edge times are the device's scaled by the measured whole-model ratio, so that JIT and timer
        // noise on single nodes cannot decide it. Then edge-only beats any mixed cut D by
        // (1 - ratio) x device(D) minus the input's transfer time saved, positive at 100 Mbit/s here.
        double ratio = p.edgeTotalMs() / p.deviceTotalMs();
        double[] scaled = new double[g.nodeCount()];
        for (int v = 0; v < scaled.length; v++) {
            scaled[v] = g.deviceMs(v) * ratio;
        }
        CostGraph sg = p.withEdgeMs(scaled).costGraph();
        SplitPlan fastest = planner.plan(sg, LinkModel.of(BANDWIDTHS[4], 5), Objective.latency(), Constraints.none(),
                null);
        System.out.printf("%s: edge/device ratio %.3f; 100 Mbit/s with proportional edge times: %s%n", name, ratio,
                fastest.best().orElseThrow().label(sg));
        if (ratio < 0.5) {
            assertEquals(Candidate.Kind.EDGE_ONLY, fastest.best().orElseThrow().kind(), "edge faster: edge-only");
        }
        // latency never grows with bandwidth, and the chosen cut never moves more bytes on a slower link
        for (int i = 1; i < BANDWIDTHS.length; i++) {
            assertTrue(plans[i].best().get().latencyMs() <= plans[i - 1].best().get().latencyMs() + 1e-9);
            // cost = compute + rtt + bytes x (8 / bandwidth): the minimiser's bytes cannot shrink as bandwidth grows
            assertTrue(plans[i].best().get().upBytes() + plans[i].best().get().downBytes()
                    >= plans[i - 1].best().get().upBytes() + plans[i - 1].best().get().downBytes());
        }
    }
}
