package io.tinyml.offload.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The planner's result: every candidate cut with its cost terms, and the best feasible one.
 * Immutable and thread-safe.
 */
public final class SplitPlan {
    private final CostGraph graph;
    private final LinkModel link;
    private final Objective objective;
    private final Constraints constraints;
    private final List<Candidate> candidates;
    private final Candidate best;

    SplitPlan(CostGraph graph, LinkModel link, Objective objective, Constraints constraints, List<Candidate> candidates,
              Candidate best) {
        this.graph = graph;
        this.link = link;
        this.objective = objective;
        this.constraints = constraints;
        this.candidates = List.copyOf(candidates);
        this.best = best;
    }

    /** @return the graph planned */
    public CostGraph graph() {
        return graph;
    }

    /** @return the link assumed */
    public LinkModel link() {
        return link;
    }

    /** @return the objective */
    public Objective objective() {
        return objective;
    }

    /** @return the constraints */
    public Constraints constraints() {
        return constraints;
    }

    /** @return every candidate, in enumeration order */
    public List<Candidate> candidates() {
        return candidates;
    }

    /** @return the feasible candidate of least cost, empty when none is feasible */
    public Optional<Candidate> best() {
        return Optional.ofNullable(best);
    }

    /** @return the device-only candidate */
    public Candidate deviceOnly() {
        return find(Candidate.Kind.DEVICE_ONLY);
    }

    /** @return the edge-only candidate */
    public Candidate edgeOnly() {
        return find(Candidate.Kind.EDGE_ONLY);
    }

    /** @return the feasible mixed candidate of least cost, if any */
    public Optional<Candidate> bestMixed() {
        Candidate b = null;
        for (Candidate c : candidates) {
            if (c.kind() == Candidate.Kind.MIXED && c.feasible() && (b == null || c.cost() < b.cost())) {
                b = c;
            }
        }
        return Optional.ofNullable(b);
    }

    private Candidate find(Candidate.Kind k) {
        for (Candidate c : candidates) {
            if (c.kind() == k) {
                return c;
            }
        }
        throw new IllegalStateException("no " + k + " candidate");
    }

    /**
     * A text table of every candidate (the best marked with '*'), sorted by cost.
     *
     * @return the table
     */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "link %s: up %.0f bit/s, down %.0f bit/s, rtt %.1f ms; objective %s%n",
                link.name(), link.uplinkBitsPerSecond(), link.downlinkBitsPerSecond(), link.rttMs(), objective));
        sb.append(String.format(Locale.ROOT, "  %-4s %9s %9s %8s %9s %8s %10s %10s %9s  %s%n", "", "device ms", "up ms",
                "rtt ms", "edge ms", "down ms", "total ms", "energy uJ", "up B", "cut"));
        List<Candidate> sorted = new ArrayList<>(candidates);
        sorted.sort((a, b) -> Double.compare(a.cost(), b.cost()));
        for (Candidate c : sorted) {
            sb.append(String.format(Locale.ROOT, "  %-4s %9.3f %9.3f %8.1f %9.3f %8.3f %10.3f %10.1f %9d  %s%s%n",
                    c == best ? "*" : "", c.deviceMs(), c.uplinkMs(), c.rttMs(), c.edgeMs(), c.downlinkMs(),
                    c.latencyMs(), c.energyUj(), c.upBytes(), c.label(graph),
                    c.feasible() ? "" : " [infeasible: " + c.violation() + "]"));
        }
        return sb.toString();
    }

    /**
     * The plan as nested maps and lists for JSON output.
     *
     * @return the map
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        Map<String, Object> l = new LinkedHashMap<>();
        l.put("name", link.name());
        l.put("uplinkBitsPerSecond", link.uplinkBitsPerSecond());
        l.put("downlinkBitsPerSecond", link.downlinkBitsPerSecond());
        l.put("rttMs", link.rttMs());
        l.put("txPowerMw", link.txPowerMw());
        l.put("rxPowerMw", link.rxPowerMw());
        l.put("loss", link.loss());
        l.put("source", link.source());
        m.put("link", l);
        m.put("objective", objective.toString());
        m.put("best", best == null ? null : candidateMap(best));
        List<Object> all = new ArrayList<>();
        for (Candidate c : candidates) {
            all.add(candidateMap(c));
        }
        m.put("candidates", all);
        return m;
    }

    private Map<String, Object> candidateMap(Candidate c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", c.kind().name());
        m.put("label", c.label(graph));
        List<String> dev = new ArrayList<>();
        for (int v = c.deviceNodes().nextSetBit(0); v >= 0; v = c.deviceNodes().nextSetBit(v + 1)) {
            dev.add(graph.nodeName(v));
        }
        m.put("deviceNodes", dev);
        m.put("sentTensors", c.sentTensors().stream().map(graph::tensorName).toList());
        m.put("returnedTensors", c.returnedTensors().stream().map(graph::tensorName).toList());
        m.put("deviceMs", c.deviceMs());
        m.put("uplinkMs", c.uplinkMs());
        m.put("rttMs", c.rttMs());
        m.put("edgeMs", c.edgeMs());
        m.put("downlinkMs", c.downlinkMs());
        m.put("latencyMs", c.latencyMs());
        m.put("computeUj", c.computeUj());
        m.put("radioUj", c.radioUj());
        m.put("energyUj", c.energyUj());
        m.put("upBytes", c.upBytes());
        m.put("downBytes", c.downBytes());
        m.put("ramBytes", c.ramBytes());
        m.put("flashBytes", c.flashBytes());
        m.put("feasible", c.feasible());
        m.put("violation", c.violation());
        m.put("cost", c.cost());
        return m;
    }
}
