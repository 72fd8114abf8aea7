package io.tinyml.cli;

import io.tinyml.cli.internal.Outputs;
import io.tinyml.core.ProgressListener;
import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.Datasets;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.data.MappingStats;
import io.tinyml.core.io.ModelIO;
import io.tinyml.core.io.onnx.OnnxWriter;
import io.tinyml.core.io.tflite.TfliteWriter;
import io.tinyml.core.ir.Model;
import io.tinyml.quantize.CalibrationMethod;
import io.tinyml.quantize.LayerChoice;
import io.tinyml.quantize.MixedPrecisionResult;
import io.tinyml.quantize.Quantizer;
import io.tinyml.quantize.Scheme;
import io.tinyml.quantize.eval.LayerError;
import io.tinyml.quantize.eval.QuantEval;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tinyml quantize MODEL --calibration DATASET [--samples N] [--scheme S] [--method M] [--per-tensor]
 * [--input-scale S] [--input-offset O] [--resize] [--eval DATASET] [--max-accuracy-drop D] --output OUT [--json]}:
 * post-training quantization, with the per-layer SNR on calibration data and, with {@code --eval}, the
 * top-1 of the float and quantized models on a separate slice.
 */
@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = "Quantizes a float model (int8, int16x8, fp16, dynamic range or mixed precision) and "
                + "reports per-layer SNR and, with --eval, top-1 before and after.")
final class QuantizeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL", description = "the float model (.tflite, .h5/.keras, .onnx, SavedModel)")
    Path model;

    @Option(names = "--calibration", required = true, paramLabel = "DATASET",
            description = "calibration data, PATH or PATH[from:to]; never the evaluation split")
    String calibration;

    @Option(names = "--samples", paramLabel = "N", defaultValue = "200", description = "calibration samples (default ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--scheme", paramLabel = "SCHEME", defaultValue = "int8",
            description = "int8, int16x8, fp16, dynamic or mixed (default ${DEFAULT-VALUE})")
    String scheme;

    @Option(names = "--method", paramLabel = "METHOD", defaultValue = "minmax",
            description = "minmax, ema, percentile, entropy or mse (default ${DEFAULT-VALUE})")
    String method;

    @Option(names = "--per-tensor", description = "one weight scale per tensor instead of per output channel")
    boolean perTensor;

    @Option(names = "--bias-correction", description = "correct biases for the mean shift of weight rounding")
    boolean biasCorrection;

    @Option(names = "--float-io", description = "keep float32 model inputs and outputs (default: integer I/O)")
    boolean floatIO;

    @picocli.CommandLine.Mixin
    MappingOptions map = new MappingOptions();

    @Option(names = "--eval", paramLabel = "DATASET", description = "labelled evaluation data, PATH or PATH[from:to]")
    String eval;

    @Option(names = "--max-accuracy-drop", paramLabel = "D", defaultValue = "0.01",
            description = "mixed: largest top-1 drop on validation data (a fraction; default ${DEFAULT-VALUE})")
    double maxDrop;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "OUT.tflite or OUT.onnx")
    Path output;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "1",
            description = "threads evaluating --eval data, sharing one prepared model (default ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--json", description = "machine-readable output")
    boolean json;

    @Option(names = "--force", description = "replace OUT if it exists")
    boolean force;

    @picocli.CommandLine.ParentCommand
    Main main;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Scheme sc = parse(() -> Scheme.parse(scheme));
        CalibrationMethod cm = parse(() -> CalibrationMethod.parse(method));
        Outputs.requireModelFile(output);
        String out = output.getFileName().toString().toLowerCase(Locale.ROOT);
        if (threads < 1) {
            throw new BadInputException("expected --threads of at least 1, found " + threads);
        }
        if (samples < 1) {
            throw new BadInputException("expected --samples of at least 1, found " + samples);
        }
        Outputs.check(output, false, force, model);
        Model f = ModelIO.read(model);
        Dataset cal = Datasets.open(calibration);
        Dataset ev = eval == null ? null : Datasets.open(eval);
        InputMapping mapping = map.mapping(f.graph().inputTensor(0));
        MappingOptions.check(mapping, cal, ev);
        float scale = map.scale;
        float offset = map.offset;
        PrintWriter err = spec.commandLine().getErr();
        ProgressListener progress = json ? ProgressListener.NONE : main.progress(err, "");
        Model q;
        List<LayerChoice> choices = null;
        switch (sc) {
            case FP16 -> q = Quantizer.of(f).fp16().apply();
            case DYNAMIC -> q = Quantizer.of(f).dynamicRange().apply();
            case MIXED -> {
                Quantizer.MixedStep st = perTensor ? Quantizer.of(f).mixed().perTensor() : Quantizer.of(f).mixed();
                int from = Math.min(samples, cal.size());
                Dataset val = from < cal.size() ? cal.slice(from, cal.size()) : cal;
                MixedPrecisionResult r = st.calibrate(cal, samples).method(cm).inputScale(scale).inputOffset(offset)
                        .maxAccuracyDrop(maxDrop).validation(val, 2000).listener(progress).apply();
                q = r.model();
                choices = r.layers();
                if (!r.targetMet()) {
                    err.printf("warning: no choice met a top-1 drop of %s on validation data (reached %.4f vs %.4f)%n",
                            maxDrop, r.quantTop1(), r.floatTop1());
                }
            }
            default -> {
                Quantizer.IntegerStep st = sc == Scheme.INT8 ? Quantizer.of(f).int8() : Quantizer.of(f).int16x8();
                st = perTensor ? st.perTensor() : st.perChannel();
                q = st.calibrate(cal, samples).method(cm).inputScale(scale).inputOffset(offset).floatIO(floatIO)
                        .biasCorrection(biasCorrection).listener(progress).apply();
            }
        }
        Model prepared = io.tinyml.core.pass.PassPipeline.standard().run(f);
        List<LayerError> layers = QuantEval.layerErrors(prepared, q, cal, scale, offset, Math.min(samples, 50));
        Double floatTop1 = null;
        Double quantTop1 = null;
        if (ev != null) {
            floatTop1 = QuantEval.top1(prepared, ev, scale, offset, threads);
            quantTop1 = QuantEval.top1(q, ev, scale, offset, threads);
        }
        boolean onnx = out.endsWith(".onnx");
        Outputs.writeModel(q, output, force, model);
        // sizes in the output's format: the float model as that writer writes it, and the file written
        long floatBytes = onnx ? OnnxWriter.write(prepared).length : TfliteWriter.write(prepared).length;
        long quantBytes = java.nio.file.Files.size(output);
        // the quantized model's input clips what its range does not hold: measured on the calibration samples
        InputMapping quantMapping = mapping.toBuilder().setInput(q.graph().inputTensor(0)).build();
        MappingStats stats = new MappingStats();
        for (int i = 0; i < Math.min(samples, cal.size()); i++) {
            quantMapping.toInputBytes(cal.get(i), stats);
        }
        report(sc, cm, floatTop1, quantTop1, floatBytes, quantBytes, layers, choices,
                MappingOptions.json(quantMapping, cal, stats));
        return 0;
    }

    private void report(Scheme sc, CalibrationMethod cm, Double floatTop1, Double quantTop1, long floatBytes,
                        long quantBytes, List<LayerError> layers, List<LayerChoice> choices, String mappingJson) {
        PrintWriter o = spec.commandLine().getOut();
        Map<String, LayerChoice> byName = new HashMap<>();
        if (choices != null) {
            choices.forEach(c -> byName.put(c.name(), c));
        }
        if (json) {
            StringBuilder b = new StringBuilder("{");
            b.append("\"scheme\":\"").append(sc.name().toLowerCase(Locale.ROOT)).append("\",");
            boolean weightOnly = sc == Scheme.FP16 || sc == Scheme.DYNAMIC;
            // weight-only schemes calibrate nothing: no method
            b.append("\"method\":").append(weightOnly ? "null" : "\"" + cm.name().toLowerCase(Locale.ROOT) + "\"")
                    .append(',');
            b.append("\"floatTop1\":").append(floatTop1).append(',');
            b.append("\"quantTop1\":").append(quantTop1).append(',');
            b.append("\"floatBytes\":").append(floatBytes).append(',');
            b.append("\"quantBytes\":").append(quantBytes).append(',');
            b.append("\"output\":\"").append(esc(output.toString())).append("\",");
            b.append("\"mapping\":").append(mappingJson).append(',');
            b.append("\"layers\":[");
            for (int i = 0; i < layers.size(); i++) {
                LayerError e = layers.get(i);
                b.append(i == 0 ? "" : ",").append("{\"name\":\"").append(esc(e.name())).append("\",\"dtype\":\"")
                        .append(e.dtype()).append("\",\"snrDb\":").append(num(e.snrDb())).append(",\"cosine\":")
                        .append(num(e.cosine())).append('}');
            }
            b.append(']');
            if (choices != null) {
                b.append(",\"mixed\":[");
                for (int i = 0; i < choices.size(); i++) {
                    LayerChoice c = choices.get(i);
                    b.append(i == 0 ? "" : ",").append("{\"name\":\"").append(esc(c.name())).append("\",\"precision\":\"")
                            .append(c.precision()).append("\",\"sensitivity\":").append(num(c.sensitivity()))
                            .append(",\"weightBytes\":").append(c.weightBytes()).append('}');
                }
                b.append(']');
            }
            o.println(b.append('}'));
        } else {
            o.printf("scheme %s, method %s%n", sc.name().toLowerCase(Locale.ROOT), cm.name().toLowerCase(Locale.ROOT));
            o.printf("size   float %d bytes -> quantized %d bytes (%s)%n", floatBytes, quantBytes, output);
            if (floatTop1 != null) {
                o.printf("top-1  float %.4f -> quantized %.4f (eval %s)%n", floatTop1, quantTop1, eval);
            }
            if (choices != null) {
                o.println("mixed precision (weighted layers):");
                for (LayerChoice c : choices) {
                    o.printf("  %-40s %-6s sensitivity %.2e %8d bytes%n", c.name(), c.precision(), c.sensitivity(),
                            c.weightBytes());
                }
            }
            o.println("per-layer output SNR on calibration data:");
            for (LayerError e : layers) {
                o.printf("  %-40s %-8s %8.2f dB  cos %.5f%n", e.name(), e.dtype(), e.snrDb(), e.cosine());
            }
        }
        o.flush();
    }

    private static <T> T parse(java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage());
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.valueOf(v) : "null";
    }

    private static String esc(String s) {
        StringBuilder b = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
