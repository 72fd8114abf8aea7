package io.tinyml.nas;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * The networks a {@link Search} may pick from: a 3×3 convolution stem, stages of DS-CNN or
 * MobileNetV2-style blocks with per-stage width, depth, kernel size and expansion choices, and a
 * classifier head, for a choice of input resolutions (square; data are resized bilinearly).
 * An {@link Architecture} is one choice per decision; {@link #genes(Architecture)} and
 * {@link #decode(int[])} map it to and from the integer genome the evolutionary search works on.
 *
 * <p>Immutable and thread-safe. Read from or written to JSON ({@link #fromJson(String)},
 * {@link #toJson()}), format version {@value #FORMAT}:
 * <pre>{@code
 * {"format": 1, "block": "DS_CNN", "resolutions": [28, 20], "stemWidths": [8, 16], "stemStrides": [2],
 *  "heads": ["GLOBAL_POOL"],
 *  "stages": [{"widths": [16, 32], "depths": [1, 2], "kernels": [3, 5], "expansions": [1], "stride": 2}]}
 * }</pre>
 *
 * @param format the serialized format version ({@value #FORMAT})
 * @param block the block every stage repeats
 * @param resolutions input resolutions (height = width) to choose from
 * @param stemWidths output channels of the stem convolution to choose from
 * @param stemStrides strides of the stem convolution to choose from
 * @param heads classifier heads to choose from
 * @param stages the stages in order
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record SearchSpace(int format, BlockType block, List<Integer> resolutions, List<Integer> stemWidths,
                          List<Integer> stemStrides, List<Head> heads, List<StageSpace> stages) {
    /** The JSON format version this class writes and the newest it reads. */
    public static final int FORMAT = 1;
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * Validates the space.
     *
     * @throws IllegalArgumentException if a choice list is empty or holds an invalid value, the format
     *     is newer than this version reads, or there are no stages
     */
    public SearchSpace {
        if (format < 1 || format > FORMAT) {
            throw new IllegalArgumentException("expected search space format 1.." + FORMAT + ", found " + format);
        }
        Objects.requireNonNull(block, "block");
        resolutions = choices("resolutions", resolutions, 1);
        stemWidths = choices("stemWidths", stemWidths, 1);
        stemStrides = choices("stemStrides", stemStrides, 1);
        for (int s : stemStrides) {
            if (s > 2) {
                throw new IllegalArgumentException("expected stem strides 1 or 2, found " + s);
            }
        }
        if (heads == null || heads.isEmpty() || heads.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("expected at least one head, found " + heads);
        }
        heads = List.copyOf(heads);
        if (stages == null || stages.isEmpty() || stages.stream().anyMatch(Objects::isNull)) {
            throw new IllegalArgumentException("expected at least one stage, found " + stages);
        }
        stages = List.copyOf(stages);
    }

    static List<Integer> choices(String what, List<Integer> values, int min) {
        if (values == null || values.isEmpty() || values.stream().anyMatch(java.util.Objects::isNull)) {
            throw new IllegalArgumentException("expected at least one value for " + what + ", found " + values);
        }
        for (int v : values) {
            if (v < min) {
                throw new IllegalArgumentException("expected " + what + " >= " + min + ", found " + v);
            }
        }
        return List.copyOf(values);
    }

    /**
     * A DS-CNN space for small grey-scale images (MNIST-sized, 28×28 and smaller): stem 3×3 of 4 to 16
     * channels at stride 1 or 2, three stages of depthwise-separable blocks (stride 2, 2, 1) with 8 to
     * 64 channels, 1 to 3 blocks, kernels 3 or 5, and a pooled or flattened head.
     *
     * @param maxResolution the data's resolution; the space offers it and two smaller ones
     * @return the space
     */
    public static SearchSpace dscnn(int maxResolution) {
        List<Integer> res = new ArrayList<>(List.of(maxResolution));
        for (int r : new int[] {maxResolution * 6 / 7, maxResolution * 5 / 7}) {
            if (r >= 8 && !res.contains(r)) {
                res.add(r);
            }
        }
        return new SearchSpace(FORMAT, BlockType.DS_CNN, res, List.of(4, 8, 12, 16), List.of(1, 2),
                List.of(Head.GLOBAL_POOL, Head.FLATTEN),
                List.of(new StageSpace(List.of(8, 16, 24), List.of(1, 2), List.of(3, 5), List.of(1), 2),
                        new StageSpace(List.of(16, 24, 32, 48), List.of(1, 2, 3), List.of(3, 5), List.of(1), 2),
                        new StageSpace(List.of(24, 32, 48, 64), List.of(0, 1, 2), List.of(3), List.of(1), 1)));
    }

    /**
     * Parses a space from JSON.
     *
     * @param json the text
     * @return the space
     * @throws IllegalArgumentException if the text is not a valid space; the message names the problem
     */
    public static SearchSpace fromJson(String json) {
        try {
            SearchSpace s = JSON.readValue(json, SearchSpace.class);
            if (s == null) {
                throw new IllegalArgumentException("expected a search space object, found null");
            }
            return s;
        } catch (JsonProcessingException e) {
            Throwable c = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
            String m = c == e ? e.getOriginalMessage() : c.getMessage();
            throw new IllegalArgumentException("expected a search space in JSON, found: " + m, e);
        }
    }

    /**
     * Reads a space from a JSON file.
     *
     * @param file the file
     * @return the space
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException if the text is not a valid space
     */
    public static SearchSpace read(Path file) throws IOException {
        return fromJson(Files.readString(file));
    }

    /**
     * Writes the space as JSON.
     *
     * @return the JSON text
     */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("expected a search space to serialize, found: " + e.getMessage(), e);
        }
    }

    /**
     * Returns how many values each gene can take, in genome order: resolution, stem width, stem stride,
     * head, then width, depth, kernel and expansion of each stage.
     *
     * @return the cardinalities
     */
    public int[] cardinalities() {
        int[] c = new int[4 + 4 * stages.size()];
        c[0] = resolutions.size();
        c[1] = stemWidths.size();
        c[2] = stemStrides.size();
        c[3] = heads.size();
        for (int i = 0; i < stages.size(); i++) {
            StageSpace s = stages.get(i);
            c[4 + 4 * i] = s.widths().size();
            c[5 + 4 * i] = s.depths().size();
            c[6 + 4 * i] = s.kernels().size();
            c[7 + 4 * i] = s.expansions().size();
        }
        return c;
    }

    /**
     * Decodes a genome.
     *
     * @param genes one index per gene ({@link #cardinalities()})
     * @return the architecture
     * @throws IllegalArgumentException if the genome does not match the space
     */
    public Architecture decode(int[] genes) {
        int[] card = cardinalities();
        if (genes.length != card.length) {
            throw new IllegalArgumentException("expected " + card.length + " genes, found " + genes.length);
        }
        for (int i = 0; i < genes.length; i++) {
            if (genes[i] < 0 || genes[i] >= card[i]) {
                throw new IllegalArgumentException("expected gene " + i + " in [0, " + card[i] + "), found " + genes[i]);
            }
        }
        List<Architecture.Stage> st = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            StageSpace s = stages.get(i);
            st.add(new Architecture.Stage(s.widths().get(genes[4 + 4 * i]), s.depths().get(genes[5 + 4 * i]),
                    s.kernels().get(genes[6 + 4 * i]), block == BlockType.MBV2 ? s.expansions().get(genes[7 + 4 * i]) : 1,
                    s.stride()));
        }
        return new Architecture(block, resolutions.get(genes[0]), stemWidths.get(genes[1]), stemStrides.get(genes[2]),
                heads.get(genes[3]), st);
    }

    /**
     * Encodes an architecture of this space.
     *
     * @param a the architecture
     * @return its genes
     * @throws IllegalArgumentException if a choice is not offered by the space
     */
    public int[] genes(Architecture a) {
        if (a.stages().size() != stages.size() || a.block() != block) {
            throw new IllegalArgumentException("expected a " + block + " architecture of " + stages.size()
                    + " stages, found " + a);
        }
        int[] g = new int[4 + 4 * stages.size()];
        g[0] = index("resolution", resolutions, a.resolution());
        g[1] = index("stem width", stemWidths, a.stemWidth());
        g[2] = index("stem stride", stemStrides, a.stemStride());
        g[3] = heads.indexOf(a.head());
        if (g[3] < 0) {
            throw new IllegalArgumentException("expected a head of " + heads + ", found " + a.head());
        }
        for (int i = 0; i < stages.size(); i++) {
            StageSpace s = stages.get(i);
            Architecture.Stage c = a.stages().get(i);
            g[4 + 4 * i] = index("width", s.widths(), c.width());
            g[5 + 4 * i] = index("depth", s.depths(), c.depth());
            g[6 + 4 * i] = index("kernel", s.kernels(), c.kernel());
            g[7 + 4 * i] = block == BlockType.MBV2 ? index("expansion", s.expansions(), c.expansion()) : 0;
        }
        return g;
    }

    private static int index(String what, List<Integer> l, int v) {
        int i = l.indexOf(v);
        if (i < 0) {
            throw new IllegalArgumentException("expected a " + what + " of " + l + ", found " + v);
        }
        return i;
    }

    /**
     * Draws a uniformly random genome.
     *
     * @param rnd the random source
     * @return the genes
     */
    public int[] sample(Random rnd) {
        int[] card = cardinalities();
        int[] g = new int[card.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = rnd.nextInt(card[i]);
        }
        return g;
    }

    /**
     * Returns the number of distinct genomes (an upper bound on distinct architectures).
     *
     * @return the size, saturated at {@code Long.MAX_VALUE}
     */
    public long size() {
        long n = 1;
        for (int c : cardinalities()) {
            n = Math.multiplyExact(n, c);
        }
        return n;
    }
}
