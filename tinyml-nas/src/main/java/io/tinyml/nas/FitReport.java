package io.tinyml.nas;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.estimate.Estimate;
import io.tinyml.core.estimate.EstimateReports;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.ir.Model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * The outcome of {@link Fit}: every step tried, in order, and — when one met every requirement — the
 * int8 model and its estimate. Immutable.
 *
 * @param fits whether a step met every requirement
 * @param model the accepted int8 model, or null
 * @param estimate the accepted model's estimate, or null
 * @param steps every step tried, in order; the last one is the accepted step when {@code fits}
 * @param constraints the budgets
 * @param minAccuracy the required int8 top-1
 */
public record FitReport(boolean fits, Model model, Estimate estimate, List<FitStep> steps, Constraints constraints,
                        double minAccuracy) {

    /** Copies the list. */
    public FitReport {
        steps = List.copyOf(steps);
    }

    /** @return the accepted step, or null when nothing fits */
    public FitStep accepted() {
        return fits ? steps.get(steps.size() - 1) : null;
    }

    /** @return the step closest to meeting every requirement (the accepted one when it fits), or null if none ran */
    public FitStep closest() {
        return steps.stream().min(Comparator.comparingDouble(FitStep::distance)).orElse(null);
    }

    /**
     * Describes the outcome in a few lines: each step with its figures and why it was rejected, then the
     * result, or for "does not fit" which requirement the closest step missed and by how much.
     *
     * @return the text
     */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "fit on %s (%s kernels): flash <= %s, RAM <= %s, latency <= %s, "
                        + "int8 top-1 >= %.4f%n", constraints.target().name(), constraints.kernels().cliName(),
                bytes(constraints.maxFlash()), bytes(constraints.maxRam()),
                constraints.maxLatencyMs() == Double.POSITIVE_INFINITY ? "-" : constraints.maxLatencyMs() + " ms",
                minAccuracy));
        int i = 1;
        for (FitStep s : steps) {
            sb.append(String.format(Locale.ROOT, "%2d. %-52s top-1 %s  flash %,7d B  RAM %,7d B  %8.3f ms  %s%n", i++,
                    s.name(), Double.isNaN(s.accuracy()) ? "   -  " : String.format(Locale.ROOT, "%.4f", s.accuracy()),
                    s.flashBytes(), s.ramBytes(), s.latencyMs(), s.fits() ? "FITS" : "rejected"));
            if (!s.note().isEmpty()) {
                sb.append("      ").append(s.note()).append('\n');
            }
            for (Shortfall f : s.shortfalls()) {
                sb.append("      ").append(f.message()).append('\n');
            }
        }
        if (fits) {
            sb.append("result: fits with step ").append(steps.size()).append(" (").append(accepted().name())
                    .append(")\n");
        } else {
            FitStep c = closest();
            sb.append("result: does NOT fit");
            if (c != null) {
                sb.append("; closest: ").append(c.name()).append('\n');
                for (Shortfall f : c.shortfalls()) {
                    sb.append("  ").append(f.message()).append('\n');
                }
            } else {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /**
     * Returns the report as JSON: budgets, every step with its figures and shortfalls, the result.
     *
     * @return the JSON text
     */
    public String toJson() {
        ObjectMapper m = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = m.createObjectNode();
        root.put("fits", fits);
        ObjectNode b = root.putObject("constraints");
        b.put("target", constraints.target().name());
        b.put("kernels", constraints.kernels().cliName());
        putLimit(b, "maxFlashBytes", constraints.maxFlash());
        putLimit(b, "maxRamBytes", constraints.maxRam());
        if (constraints.maxLatencyMs() != Double.POSITIVE_INFINITY) {
            b.put("maxLatencyMs", constraints.maxLatencyMs());
        }
        if (constraints.maxEnergyUj() != Double.POSITIVE_INFINITY) {
            b.put("maxEnergyUj", constraints.maxEnergyUj());
        }
        b.put("minAccuracy", minAccuracy);
        ArrayNode arr = root.putArray("steps");
        for (FitStep s : steps) {
            ObjectNode o = arr.addObject();
            o.put("name", s.name());
            if (!Double.isNaN(s.accuracy())) {
                o.put("accuracy", s.accuracy());
            }
            o.put("flashBytes", s.flashBytes());
            o.put("ramBytes", s.ramBytes());
            o.put("latencyMs", s.latencyMs());
            o.put("energyUj", s.energyUj());
            o.put("fits", s.fits());
            if (!s.note().isEmpty()) {
                o.put("note", s.note());
            }
            o.set("shortfalls", shortfalls(m, s.shortfalls()));
        }
        FitStep c = closest();
        if (fits) {
            root.put("accepted", c.name());
        } else if (c != null) {
            root.put("closest", c.name());
            root.set("shortfalls", shortfalls(m, c.shortfalls()));
        }
        try {
            return m.writeValueAsString(root);
        } catch (IOException e) {
            throw new IllegalStateException("expected the report to serialize, found: " + e.getMessage(), e);
        }
    }

    private static ArrayNode shortfalls(ObjectMapper m, List<Shortfall> l) {
        ArrayNode a = m.createArrayNode();
        for (Shortfall f : l) {
            ObjectNode o = a.addObject();
            o.put("constraint", f.constraint());
            o.put("value", f.value());
            o.put("limit", f.limit());
            o.put("unit", f.unit());
            o.put("gap", f.gap());
            o.put("message", f.message());
        }
        return a;
    }

    private static void putLimit(ObjectNode o, String name, long v) {
        if (v != Long.MAX_VALUE) {
            o.put(name, v);
        }
    }

    private static String bytes(long v) {
        return v == Long.MAX_VALUE ? "-" : String.format(Locale.ROOT, "%,d B", v);
    }

    /**
     * The files {@link #writeTo(Path)} writes, by name: {@code report.json}, {@code report.txt} and, when the
     * model fits, {@code model.tflite}, {@code estimate.json} and {@code estimate.txt}. The C project of the
     * accepted model is not part of this module (search does not depend on code generation): the layer that
     * composes modules adds it (the CLI's {@code tinyml fit} writes it under {@code c/}).
     *
     * @return file name (relative, '/'-separated) to content
     * @throws IOException if the model cannot be serialized
     * @throws UnsupportedOperatorException if the model cannot be written
     */
    public java.util.Map<String, byte[]> files() throws IOException, UnsupportedOperatorException {
        java.util.Map<String, byte[]> f = new java.util.LinkedHashMap<>();
        f.put("report.json", toJson().getBytes(StandardCharsets.UTF_8));
        f.put("report.txt", toText().getBytes(StandardCharsets.UTF_8));
        if (fits) {
            Path tmp = Files.createTempFile("tinyml-fit", ".tflite");
            try {
                ModelIO.write(model, tmp);
                f.put("model.tflite", Files.readAllBytes(tmp));
            } finally {
                Files.deleteIfExists(tmp);
            }
            f.put("estimate.json", EstimateReports.json(estimate).getBytes(StandardCharsets.UTF_8));
            f.put("estimate.txt", EstimateReports.text(estimate).getBytes(StandardCharsets.UTF_8));
        }
        return f;
    }

    /**
     * Writes {@link #files()} into a directory that must not hold any of them yet.
     *
     * @param dir the directory (created if missing)
     * @return the files written
     * @throws IOException if a file exists already or cannot be written
     * @throws UnsupportedOperatorException if the model cannot be written
     */
    public List<Path> writeTo(Path dir) throws IOException, UnsupportedOperatorException {
        java.util.Map<String, byte[]> f = files();
        List<Path> out = new ArrayList<>();
        for (String name : f.keySet()) {
            Path p = dir.resolve(name);
            if (Files.exists(p)) {
                throw new IOException("expected no " + p + " (refusing to overwrite), found one");
            }
        }
        for (var e : f.entrySet()) {
            Path p = dir.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
            out.add(p);
        }
        return out;
    }
}
