package io.tinyml.core.estimate;

import io.tinyml.core.json.Json;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders an {@link Estimate} as a text table, JSON, Markdown, or a self-contained SVG (live memory
 * per layer over the execution order with the arena peak marked, and per-layer latency bars).
 * Stateless and thread-safe.
 *
 * <pre>{@code
 * Files.writeString(Path.of("kws.svg"), EstimateReports.svg(estimate));
 * }</pre>
 */
public final class EstimateReports {
    private EstimateReports() {
    }

    /**
     * Returns the estimate as an insertion-ordered map of JSON-ready values. Keys: model, target,
     * core, clockMhz, kernels, planner, flashBytes, ramBytes, arenaBytes, cycles, latencyMs, energyUj,
     * fits, violations, unsupportedOps, basis (flash, ram, latency: "measured", "calibrated" or
     * "extrapolated"), flash, ram, plan, notes, layers (node, name, op, macs, cycles,
     * latencyMs, liveBytes, scratchBytes).
     *
     * @param e the estimate
     * @return the map
     */
    public static Map<String, Object> toMap(Estimate e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model", e.model());
        m.put("target", e.target().name());
        m.put("core", e.target().core().displayName());
        m.put("clockMhz", e.target().clockMhz());
        m.put("kernels", e.kernels().cliName());
        m.put("planner", e.plan().planner());
        m.put("flashBytes", e.flashBytes());
        m.put("ramBytes", e.ramBytes());
        m.put("arenaBytes", e.arenaBytes());
        m.put("cycles", e.cycles());
        m.put("latencyMs", round(e.latencyMs()));
        m.put("energyUj", e.target().activePowerMw() > 0 ? round(e.energyUj()) : null);
        m.put("fits", e.fits());
        m.put("violations", e.violations().stream().map(v -> {
            Map<String, Object> vm = new LinkedHashMap<>();
            vm.put("budget", v.budget());
            vm.put("required", v.required());
            vm.put("available", v.available());
            vm.put("overrun", v.overrun());
            vm.put("unit", v.unit());
            vm.put("message", v.message());
            return vm;
        }).toList());
        m.put("unsupportedOps", e.unsupportedOps());
        Map<String, Object> basis = new LinkedHashMap<>();
        basis.put("flash", e.memoryBasis().label());
        basis.put("ram", e.memoryBasis().label());
        basis.put("latency", e.latencyBasis().label());
        m.put("basis", basis);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("weights", e.flash().weights());
        f.put("quantParams", e.flash().quantParams());
        f.put("modelFormat", e.flash().modelFormat());
        f.put("kernelCode", e.flash().kernelCode());
        f.put("runtime", e.flash().runtime());
        m.put("flash", f);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("activations", e.ram().activations());
        r.put("largestScratch", e.ram().scratch());
        r.put("requantization", e.ram().requantization());
        r.put("nodeState", e.ram().nodeState());
        r.put("tensorState", e.ram().tensorState());
        r.put("stack", e.ram().stack());
        r.put("runtimeStatic", e.ram().runtimeStatic());
        m.put("ram", r);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("peak", e.plan().peak());
        p.put("lowerBound", e.plan().lowerBound());
        p.put("gap", e.plan().gap());
        p.put("provenOptimal", e.plan().provenOptimal());
        m.put("plan", p);
        m.put("notes", e.notes());
        m.put("layers", e.layers().stream().map(l -> {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("node", l.node());
            lm.put("name", l.name());
            lm.put("op", l.op());
            lm.put("macs", l.macs());
            lm.put("cycles", l.cycles());
            lm.put("latencyMs", round(l.latencyMs()));
            lm.put("liveBytes", l.liveBytes());
            lm.put("scratchBytes", l.scratchBytes());
            return lm;
        }).toList());
        return m;
    }

    /**
     * Renders JSON.
     *
     * @param e the estimate
     * @return the JSON text
     */
    public static String json(Estimate e) {
        return Json.write(toMap(e));
    }

    /**
     * Renders a text report: summary, breakdowns, per-layer table, violations and notes.
     *
     * @param e the estimate
     * @return the text
     */
    public static String text(Estimate e) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "model:      %s%n", e.model()));
        sb.append(String.format(Locale.ROOT, "target:     %s (%s, %.0f MHz, %,d B RAM, %,d B flash)%n",
                e.target().name(), e.target().core().displayName(), e.target().clockMhz(), e.target().ramBytes(),
                e.target().flashBytes()));
        sb.append(String.format(Locale.ROOT, "kernels:    %s, planner %s%n", e.kernels().cliName(), e.plan().planner()));
        sb.append(String.format(Locale.ROOT, "flash:      %,d B  (weights %,d, quant %,d, format %,d, code %,d, runtime %,d)"
                        + " [%s]%n", e.flashBytes(), e.flash().weights(), e.flash().quantParams(), e.flash().modelFormat(),
                e.flash().kernelCode(), e.flash().runtime(), e.memoryBasis().label()));
        sb.append(String.format(Locale.ROOT, "RAM:        %,d B  (arena %,d = activations %,d + requant %,d + nodes %,d + tensors %,d;"
                        + " stack %,d, static %,d) [%s]%n", e.ramBytes(), e.arenaBytes(), e.ram().activations(),
                e.ram().requantization(), e.ram().nodeState(), e.ram().tensorState(), e.ram().stack(),
                e.ram().runtimeStatic(), e.memoryBasis().label()));
        sb.append(String.format(Locale.ROOT, "plan:       peak %,d B, lower bound %,d B, gap %,d B%s%n", e.plan().peak(),
                e.plan().lowerBound(), e.plan().gap(), e.plan().provenOptimal() ? " (optimal)" : ""));
        sb.append(String.format(Locale.ROOT, "latency:    %,d cycles = %.3f ms [%s]%n", e.cycles(), e.latencyMs(),
                e.latencyBasis().label()));
        sb.append(String.format(Locale.ROOT, "energy:     %s%n", e.target().activePowerMw() > 0
                ? String.format(Locale.ROOT, "%.1f uJ at %.1f mW", e.energyUj(), e.target().activePowerMw()) : "n/a (no power figure)"));
        sb.append(String.format(Locale.ROOT, "fits:       %s%n", e.fits() ? "yes" : "NO"));
        for (Violation v : e.violations()) {
            sb.append("  ").append(v.message()).append('\n');
        }
        for (String u : e.unsupportedOps()) {
            sb.append("  unsupported: ").append(u).append('\n');
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "%4s  %-18s %12s %14s %10s %10s %8s%n", "#", "op", "MACs", "cycles", "ms",
                "live B", "scratch"));
        for (LayerEstimate l : e.layers()) {
            sb.append(String.format(Locale.ROOT, "%4d  %-18s %,12d %,14d %10.3f %,10d %,8d%n", l.node(), l.op(), l.macs(),
                    l.cycles(), l.latencyMs(), l.liveBytes(), l.scratchBytes()));
        }
        if (!e.notes().isEmpty()) {
            sb.append('\n');
            for (String n : e.notes()) {
                sb.append("note: ").append(n).append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Renders Markdown: a summary table and a per-layer table.
     *
     * @param e the estimate
     * @return the Markdown text
     */
    public static String markdown(Estimate e) {
        StringBuilder sb = new StringBuilder();
        sb.append("## ").append(e.model()).append(" on ").append(e.target().name()).append(" (")
                .append(e.kernels().cliName()).append(" kernels)\n\n");
        sb.append("| | value | budget |\n|---|---:|---:|\n");
        sb.append(String.format(Locale.ROOT, "| flash | %,d B | %,d B |%n", e.flashBytes(), e.target().flashBytes()));
        sb.append(String.format(Locale.ROOT, "| RAM | %,d B | %,d B |%n", e.ramBytes(), e.target().ramBytes()));
        sb.append(String.format(Locale.ROOT, "| arena | %,d B | |%n", e.arenaBytes()));
        sb.append(String.format(Locale.ROOT, "| latency | %.3f ms (%,d cycles) | |%n", e.latencyMs(), e.cycles()));
        sb.append(e.target().activePowerMw() > 0
                ? String.format(Locale.ROOT, "| energy | %.1f uJ | |%n", e.energyUj()) : "| energy | n/a | no power figure |\n");
        sb.append(String.format(Locale.ROOT, "| fits | %s | |%n", e.fits() ? "yes" : "**no**"));
        sb.append(String.format(Locale.ROOT, "| basis | flash and RAM %s, latency %s | |%n%n", e.memoryBasis().label(),
                e.latencyBasis().label()));
        for (Violation v : e.violations()) {
            sb.append("- ").append(v.message()).append('\n');
        }
        for (String u : e.unsupportedOps()) {
            sb.append("- unsupported: ").append(u).append('\n');
        }
        sb.append("\n| # | op | MACs | cycles | ms | live B |\n|---:|---|---:|---:|---:|---:|\n");
        for (LayerEstimate l : e.layers()) {
            sb.append(String.format(Locale.ROOT, "| %d | %s | %,d | %,d | %.3f | %,d |%n", l.node(), l.op(), l.macs(),
                    l.cycles(), l.latencyMs(), l.liveBytes()));
        }
        for (String n : e.notes()) {
            sb.append("\n> ").append(n).append('\n');
        }
        return sb.toString();
    }

    /**
     * Renders a self-contained SVG: top panel, live bytes per layer as bars with the arena peak and
     * the planner's peak marked; bottom panel, latency per layer.
     *
     * @param e the estimate
     * @return the SVG document
     */
    public static String svg(Estimate e) {
        List<LayerEstimate> ls = e.layers();
        int n = Math.max(ls.size(), 1);
        int left = 90;
        int right = 30;
        int barW = Math.max(8, Math.min(36, 900 / n));
        int plotW = barW * n;
        int width = Math.max(left + plotW + right, 780);
        int top1 = 90;
        int h1 = 220;
        int top2 = top1 + h1 + 70;
        int h2 = 160;
        int height = top2 + h2 + 60;
        long peak = Math.max(1, e.plan().peak());
        long maxLive = 1;
        double maxMs = 1e-9;
        for (LayerEstimate l : ls) {
            maxLive = Math.max(maxLive, l.liveBytes());
            maxMs = Math.max(maxMs, l.latencyMs());
        }
        long scaleMem = Math.max(peak, maxLive);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"11\">%n", width, height, width, height));
        sb.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", width, height));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\" font-weight=\"bold\">%s on %s (%s kernels, %s planner)</text>%n",
                left, esc(e.model()), esc(e.target().name()), e.kernels().cliName(), esc(e.plan().planner())));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"40\">flash %,d B, RAM %,d B, arena %,d B, %.3f ms, %s</text>%n",
                left, e.flashBytes(), e.ramBytes(), e.arenaBytes(), e.latencyMs(), e.fits() ? "fits" : "does NOT fit"));
        // panel 1: live memory
        sb.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">live bytes per layer</text>%n", top1 - 22));
        axis(sb, left, top1, plotW, h1);
        for (int i = 0; i < ls.size(); i++) {
            LayerEstimate l = ls.get(i);
            double bh = h1 * (double) l.liveBytes() / scaleMem;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#4e79a7\">"
                    + "<title>%d %s: %,d live bytes</title></rect>%n", left + i * barW + 1, top1 + h1 - bh, barW - 2, bh,
                    l.node(), esc(l.op()), l.liveBytes()));
        }
        double py = top1 + h1 - h1 * (double) peak / scaleMem;
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#e15759\" "
                + "stroke-width=\"2\" stroke-dasharray=\"6,3\"/>%n", left, py, left + plotW, py));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" fill=\"#e15759\">arena peak %,d B (lower bound %,d B)</text>%n",
                left + plotW / 2, py - 5, peak, e.plan().lowerBound()));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%,d</text>%n", left - 4, top1 + 4,
                scaleMem));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n", left - 4, top1 + h1));
        // panel 2: latency
        sb.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"%d\" font-weight=\"bold\">latency per layer (ms)</text>%n", top2 - 22));
        axis(sb, left, top2, plotW, h2);
        for (int i = 0; i < ls.size(); i++) {
            LayerEstimate l = ls.get(i);
            double bh = h2 * l.latencyMs() / maxMs;
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"#f28e2b\">"
                    + "<title>%d %s: %.3f ms, %,d MACs</title></rect>%n", left + i * barW + 1, top2 + h2 - bh, barW - 2,
                    bh, l.node(), esc(l.op()), l.latencyMs(), l.macs()));
            if (barW >= 14) {
                sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" font-size=\"9\">%d</text>%n",
                        left + i * barW + barW / 2, top2 + h2 + 12, l.node()));
            }
        }
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%.3f</text>%n", left - 4, top2 + 4,
                maxMs));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>%n", left - 4, top2 + h2));
        sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">layers in execution order (node index)</text>%n", left,
                top2 + h2 + 30));
        sb.append("</svg>\n");
        return sb.toString();
    }

    private static void axis(StringBuilder sb, int x, int y, int w, int h) {
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", x, y, x, y + h));
        sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", x, y + h, x + w,
                y + h));
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static double round(double v) {
        return Math.round(v * 1e6) / 1e6;
    }
}
