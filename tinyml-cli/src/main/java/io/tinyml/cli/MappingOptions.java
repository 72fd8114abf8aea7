package io.tinyml.cli;

import io.tinyml.core.data.Dataset;
import io.tinyml.core.data.InputMapping;
import io.tinyml.core.data.MappingStats;
import io.tinyml.core.ir.Tensor;
import picocli.CommandLine.Option;

import java.util.Arrays;
import java.util.Locale;

/**
 * The options that say how dataset samples become a model input ({@code --input-scale}, {@code --input-offset},
 * {@code --resize}), shared by the commands that read datasets, with the checks and reports around them.
 *
 * <p>The default maps raw values unchanged ({@code real = raw}), for float and integer models alike: an
 * integer input's quantization parameters say how real values are encoded, not what unit the data is
 * in, so the same command line evaluates a float model and its quantized version the same way. When that
 * mapping clips many values, the command says so and names the scale that maps the data onto the input.
 */
final class MappingOptions {
    /** Share of clipped input values above which a command warns. */
    static final double CLIPPED_WARNING = 0.01;

    @Option(names = "--input-scale", paramLabel = "S", defaultValue = "1",
            description = "real input = raw value * S + O (default ${DEFAULT-VALUE}: raw values are the real values)")
    float scale;

    @Option(names = "--input-offset", paramLabel = "O", defaultValue = "0", description = "see --input-scale")
    float offset;

    @Option(names = "--resize", description = "allow images of another size or channel count than the model "
            + "input: resize bilinearly, convert grey to RGB or back (refused otherwise)")
    boolean resize;

    /** Whether the user changed the scale or offset. */
    boolean scaled() {
        return scale != 1f || offset != 0f;
    }

    /** Builds the mapping for a model input. */
    InputMapping mapping(Tensor input) {
        return InputMapping.builder().setInput(input).optScale(scale).optOffset(offset).optResize(resize).build();
    }

    /**
     * Maps the first sample of each dataset before any work, so that a size or channel change without
     * {@code --resize} is refused at once.
     */
    static void check(InputMapping mapping, Dataset... datasets) {
        for (Dataset ds : datasets) {
            if (ds == null || ds.size() == 0) {
                continue;
            }
            try {
                mapping.toRealValues(ds.get(0));
            } catch (IllegalArgumentException e) {
                if (!mapping.resize()) {
                    try {
                        mapping.toBuilder().optResize(true).build().toRealValues(ds.get(0));
                        throw new BadInputException(e.getMessage() + "; pass --resize to resize it");
                    } catch (IllegalArgumentException stillWrong) {
                        throw new BadInputException(e.getMessage());
                    }
                }
                throw new BadInputException(e.getMessage());
            }
        }
    }

    /** The mapping used, for JSON: scale, offset, resize, shapes, input type and range, clipped share. */
    static String json(InputMapping m, Dataset ds, MappingStats stats) {
        float[] range = m.realRange();
        String r = Float.isInfinite(range[0]) ? "null" : "[" + range[0] + "," + range[1] + "]";
        return "{\"scale\":" + m.scale() + ",\"offset\":" + m.offset() + ",\"resize\":" + m.resize()
                + ",\"sample\":" + shape(ds.sampleShape().toArray()) + ",\"input\":" + shape(m.input().shape().toArray())
                + ",\"inputType\":\"" + m.input().type() + "\",\"inputRange\":" + r + ",\"clippedShare\":"
                + (stats == null ? "null" : String.valueOf(stats.clippedShare())) + "}";
    }

    /** One line for text output. */
    static String text(InputMapping m, Dataset ds, MappingStats stats) {
        float[] range = m.realRange();
        return "mapping: raw * " + Numbers.sig(m.scale()) + " + " + Numbers.sig(m.offset()) + ", " + ds.sampleShape()
                + " -> " + m.input().type() + " " + m.input().shape()
                + (Float.isInfinite(range[0]) ? "" : " holding [" + Numbers.sig(range[0]) + ", "
                + Numbers.sig(range[1]) + "]") + (m.resize() ? " (resize allowed)" : "")
                + (stats == null || Float.isInfinite(range[0]) ? "" : String.format(Locale.ROOT,
                "%nclipped: %.2f%% of input values", 100 * stats.clippedShare()));
    }

    /**
     * A warning when many values were clipped, naming the mapping that would take the data's raw range
     * (0..255 for 8-bit data, else the range seen) onto the input's; null when there is nothing to say.
     */
    static String clippingWarning(InputMapping m, Dataset ds, MappingStats stats) {
        if (stats.clippedShare() <= CLIPPED_WARNING) {
            return null;
        }
        float[] range = m.realRange();
        float lo = ds.isUnsigned8() ? 0 : stats.rawMin();
        float hi = ds.isUnsigned8() ? 255 : stats.rawMax();
        String hint = "";
        if (hi > lo) {
            double s = (range[1] - (double) range[0]) / (hi - lo);
            double o = range[0] - lo * s;
            hint = "; the data's raw values span [" + Numbers.sig(lo) + ", " + Numbers.sig(hi) + "]: --input-scale "
                    + String.format(Locale.ROOT, "%.6g", s)
                    + (Math.abs(o) > 1e-6 * Math.abs(range[1]) ? String.format(Locale.ROOT, " --input-offset %.6g", o) : "")
                    + " maps them onto it, if that is what the model was trained on";
        }
        return String.format(Locale.ROOT, "warning: %.1f%% of input values were clipped to input '%s' range [%s, %s]",
                100 * stats.clippedShare(), m.input().name(), Numbers.sig(range[0]), Numbers.sig(range[1])) + hint;
    }

    private static String shape(int[] dims) {
        return Arrays.toString(dims).replace(" ", "");
    }
}
