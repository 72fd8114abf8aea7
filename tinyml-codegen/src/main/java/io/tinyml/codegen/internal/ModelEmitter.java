package io.tinyml.codegen.internal;

import io.tinyml.core.UnsupportedOperatorException;
import io.tinyml.core.estimate.GeneratedArena;
import io.tinyml.core.estimate.plan.MemoryPlan;
import io.tinyml.core.estimate.plan.PlanProblem;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Emits the header, model source, weights source and kernel library of one model. Arena offsets
 * come from the core memory planner through {@link GeneratedArena} (reshapes alias their input,
 * element-wise operators may write over theirs, im2col columns are planned with the activations
 * unless a separate array is smaller), the same plan the estimator predicts. Not thread-safe; one
 * per run.
 */
public final class ModelEmitter {
    private final Model model;
    private final Graph g;
    private final String p;
    private final GeneratedArena arena;
    private final PlanProblem problem;
    private final MemoryPlan plan;
    private final Set<String> kernels = new LinkedHashSet<>();
    private final StringBuilder weights = new StringBuilder();
    private final StringBuilder weightDecls = new StringBuilder();
    private final Map<Integer, String> constNames = new LinkedHashMap<>();
    private final List<String> nodeFunctions = new ArrayList<>();
    private final boolean sparseWeights;
    private long weightBytes;
    private int scratchInt16;
    private int currentNode = -1;

    /**
     * Prepares the emitter and plans the arena.
     *
     * @param model the model
     * @param prefix the C prefix
     */
    public ModelEmitter(Model model, String prefix) {
        this(model, prefix, true);
    }

    /**
     * Prepares the emitter and plans the arena.
     *
     * @param model the model
     * @param prefix the C prefix
     * @param sparseWeights whether sparse fully-connected weights may use the bitmask format
     */
    public ModelEmitter(Model model, String prefix, boolean sparseWeights) {
        this.sparseWeights = sparseWeights;
        this.model = ConstantDequantize.fold(model);
        this.g = this.model.graph();
        this.p = prefix;
        this.arena = GeneratedArena.plan(g);
        this.problem = arena.problem();
        this.plan = arena.plan();
    }

    /** @return the prefix */
    public String prefix() {
        return p;
    }

    /** @return whether sparse fully-connected weights may use the bitmask format */
    boolean sparseWeights() {
        return sparseWeights;
    }

    /** @return the graph */
    public Graph graph() {
        return g;
    }

    /** @return the arena size in bytes */
    public long arenaBytes() {
        return arena.arenaBytes();
    }

    /** @return the constant data bytes */
    public long weightBytes() {
        return weightBytes;
    }

    /** @return the number of nodes */
    public int nodeCount() {
        return g.nodes().size();
    }

    /**
     * Returns the arena offset of a non-constant tensor.
     *
     * @param tensor the tensor index
     * @return the offset
     */
    long offset(int tensor) {
        int b = problem.bufferOfTensor(tensor);
        if (b < 0) {
            throw new IllegalStateException("tensor " + g.tensor(tensor).name() + " has no arena buffer");
        }
        return plan.offset(b);
    }

    /**
     * Returns a C expression pointing at a tensor: into the arena, or at its constant array.
     *
     * @param tensor the tensor index, or {@link Node#ABSENT}
     * @param ctype the C element type
     * @param isConst whether the pointer is to const
     * @return the expression
     */
    String ptr(int tensor, String ctype, boolean isConst) {
        if (tensor == Node.ABSENT) {
            return "0";
        }
        Tensor t = g.tensor(tensor);
        if (t.isConstant()) {
            return constant(tensor);
        }
        return "(" + (isConst ? "const " : "") + ctype + " *)(" + p + "_arena + " + offset(tensor) + ")";
    }

    /** Declares (once) a constant tensor in the weights source and returns its C name. */
    String constant(int tensor) {
        String existing = constNames.get(tensor);
        if (existing != null) {
            return existing;
        }
        Tensor t = g.tensor(tensor);
        String name = p + "_c" + tensor;
        switch (t.type()) {
            case INT8 -> array("int8_t", name, bytesToInts(t.bytes()), "tensor '" + t.name() + "'");
            case INT32 -> array("int32_t", name, t.ints(), "tensor '" + t.name() + "'");
            case FLOAT32 -> floatArray(name, t.floats(), "tensor '" + t.name() + "'");
            default -> throw new IllegalArgumentException("constant of type " + t.type());
        }
        constNames.put(tensor, name);
        return name;
    }

    private static int[] bytesToInts(byte[] b) {
        int[] r = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            r[i] = b[i];
        }
        return r;
    }

    /**
     * Adds a const array of integers to the weights source.
     *
     * @param ctype int8_t, int16_t, uint16_t or int32_t
     * @param name the C name
     * @param values the values
     * @param what a comment
     */
    void array(String ctype, String name, int[] values, String what) {
        int elem = ctype.equals("int8_t") ? 1 : ctype.endsWith("int16_t") ? 2 : 4;
        appendArray(ctype, name, values.length, elem, 16,
                i -> values[i] == Integer.MIN_VALUE ? "INT32_MIN" : Integer.toString(values[i]), what);
    }

    /**
     * Adds a const array of 64-bit integers (int16x8 biases) to the weights source.
     *
     * @param name the C name
     * @param values the values
     * @param what a comment
     */
    void longArray(String name, long[] values, String what) {
        appendArray("int64_t", name, values.length, 8, 8,
                i -> values[i] == Long.MIN_VALUE ? "INT64_MIN" : "INT64_C(" + values[i] + ")", what);
    }

    void floatArray(String name, float[] values, String what) {
        appendArray("float", name, values.length, 4, 8, i -> CText.floatLiteral(values[i]), what);
    }

    /** Declares and defines one const array of the weights source, {@code perLine} literals a line. */
    private void appendArray(String ctype, String name, int count, int elemBytes, int perLine,
                             java.util.function.IntFunction<String> literal, String what) {
        weightBytes += (long) count * elemBytes;
        weightDecls.append("extern const ").append(ctype).append(' ').append(name).append('[').append(count)
                .append("];\n");
        weights.append("/* ").append(CText.comment(what)).append(" */\n");
        weights.append("const ").append(ctype).append(' ').append(name).append('[').append(count)
                .append("] TM_ALIGN(16) = {");
        for (int i = 0; i < count; i++) {
            if (i % perLine == 0) {
                weights.append("\n   ");
            }
            weights.append(' ').append(literal.apply(i)).append(',');
        }
        weights.append("\n};\n\n");
    }

    /**
     * Reserves int16 scratch elements shared by all nodes (im2col columns).
     *
     * @param count the elements one node needs
     */
    void scratchInt16(int count) {
        long planned = GeneratedArena.scratchBytes(g, g.node(currentNode));
        if (2L * count > planned) {
            throw new IllegalStateException("node " + currentNode + " needs " + 2L * count + " scratch bytes, "
                    + planned + " planned");
        }
        scratchInt16 = Math.max(scratchInt16, count);
    }

    /** @return the bytes of the scratch buffer besides the arena (0 when the columns are planned inside it) */
    public long scratchBytes() {
        return arena.scratchInArena() ? 0 : 2L * scratchInt16;
    }

    /** The node's columns inside the arena, as a macro around its function; "" when they are a separate array. */
    private String columnsMacro(int node, boolean define) {
        int b = problem.scratchOfNode(node);
        if (!arena.scratchInArena() || b < 0) {
            return "";
        }
        return define ? "/* this node's im2col columns, planned inside the arena */\n#define " + p + "_col ((int16_t *)("
                + p + "_arena + " + plan.offset(b) + "))\n" : "#undef " + p + "_col\n";
    }

    /**
     * Records that a kernel of the library is used.
     *
     * @param name the resource name without extension
     */
    void useKernel(String name) {
        kernels.add(name);
    }

    /**
     * Emits all files.
     *
     * @return file contents by relative path
     * @throws UnsupportedOperatorException if a node has no kernel
     */
    public Map<String, String> emit() throws UnsupportedOperatorException {
        NodeEmitter ne = new NodeEmitter(this);
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.node(i);
            currentNode = i;
            String body = ne.emit(i, n);
            nodeFunctions.add(columnsMacro(i, true) + "/* node " + i + ": " + n.op().kind() + " '"
                    + CText.comment(n.name()) + "' */\n" + "static int " + p + "_node" + i + "(void)\n{\n" + body
                    + "}\n" + columnsMacro(i, false));
        }
        Map<String, String> files = new LinkedHashMap<>();
        files.put(p + "_model.h", header());
        files.put(p + "_weights.h", weightsHeader());
        files.put(p + "_weights.c", CText.frontMatter(model, p + "_weights.c", "constant data (flash)")
                + "#include \"" + p + "_weights.h\"\n\n" + weights);
        files.put(p + "_kernels.h", kernelLibrary());
        files.put(p + "_model.c", source());
        return files;
    }

    private String guard(String file) {
        return (p + "_" + file).toUpperCase(java.util.Locale.ROOT);
    }

    private String header() {
        String up = p.toUpperCase(java.util.Locale.ROOT);
        StringBuilder s = new StringBuilder(CText.frontMatter(model, p + "_model.h", "public API"));
        s.append("#ifndef ").append(guard("MODEL_H")).append("\n#define ").append(guard("MODEL_H")).append("\n\n");
        s.append("#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
        s.append("/* Bytes of the static arena holding all activations. */\n");
        s.append("#define ").append(up).append("_ARENA_BYTES ").append(arenaBytes()).append("u\n");
        s.append("/* Bytes of constant data (weights, biases, multipliers, tables). */\n");
        s.append("#define ").append(up).append("_WEIGHTS_BYTES ").append(weightBytes).append("u\n");
        s.append("/* Bytes of scratch memory (im2col columns) besides the arena (0: planned inside it). */\n");
        s.append("#define ").append(up).append("_SCRATCH_BYTES ").append(scratchBytes()).append("u\n");
        s.append("#define ").append(up).append("_NUM_INPUTS ").append(g.inputs().size()).append("\n");
        s.append("#define ").append(up).append("_NUM_OUTPUTS ").append(g.outputs().size()).append("\n");
        for (int i = 0; i < g.inputs().size(); i++) {
            s.append("#define ").append(up).append("_INPUT").append(i).append("_BYTES ")
                    .append(g.inputTensor(i).byteSize()).append("u\n");
            quantMacros(s, up + "_INPUT" + i, g.inputTensor(i));
        }
        for (int i = 0; i < g.outputs().size(); i++) {
            s.append("#define ").append(up).append("_OUTPUT").append(i).append("_BYTES ")
                    .append(g.outputTensor(i).byteSize()).append("u\n");
            quantMacros(s, up + "_OUTPUT" + i, g.outputTensor(i));
        }
        s.append("\n/*\n * Runs one inference. inputs[i] points at ").append(up).append("_INPUTi_BYTES bytes, outputs[i] at\n")
                .append(" * ").append(up).append("_OUTPUTi_BYTES bytes (row-major, the model's tensor types).\n")
                .append(" * Returns 0 on success, otherwise 1 + the index of the failing node. Not reentrant.\n */\n");
        s.append("int ").append(p).append("_invoke(const void *const inputs[], void *const outputs[]);\n\n");
        s.append("/*\n * Where input i lives in the arena: fill it there and pass this pointer to ").append(p)
                .append("_invoke\n * to save the copy. Returns 0 for an index out of range.\n */\n");
        s.append("void *").append(p).append("_input(int i);\n\n");
        s.append("/*\n * Where output i lives in the arena after ").append(p)
                .append("_invoke (valid until the next call); passing\n * it as outputs[i] saves the copy.")
                .append(" Returns 0 for an index out of range.\n */\n");
        s.append("void *").append(p).append("_output(int i);\n\n");
        s.append("#ifdef __cplusplus\n}\n#endif\n\n#endif\n");
        return s.toString();
    }

    /**
     * Appends a tensor's element type and, when it is quantized per tensor, its scale and zero point
     * (real = SCALE * (q - ZERO_POINT)); a per-channel tensor gets a comment instead.
     */
    private static void quantMacros(StringBuilder s, String name, Tensor t) {
        s.append("/* ").append(name).append(": ").append(t.type()).append(' ').append(t.shape()).append(" */\n");
        if (t.quant().isEmpty()) {
            return;
        }
        io.tinyml.core.ir.QuantParams q = t.requireQuant();
        if (!q.isPerTensor()) {
            s.append("/* ").append(name).append(" is quantized per channel on axis ").append(q.axis()).append(" */\n");
            return;
        }
        s.append("#define ").append(name).append("_SCALE ").append(CText.floatLiteral(q.scale()))
                .append(" /* ").append(q.scale()).append(" */\n");
        s.append("#define ").append(name).append("_ZERO_POINT (").append(q.zeroPoint()).append(")\n");
    }

    private String weightsHeader() {
        return CText.frontMatter(model, p + "_weights.h", "declarations of the constant data (internal)")
                + "#ifndef " + guard("WEIGHTS_H") + "\n#define " + guard("WEIGHTS_H") + "\n\n#include <stdint.h>\n\n"
                + "#if defined(__GNUC__) || defined(__clang__)\n#define TM_ALIGN(n) __attribute__((aligned(n)))\n"
                + "#else\n#define TM_ALIGN(n)\n#endif\n\n" + weightDecls + "\n#endif\n";
    }

    private String kernelLibrary() {
        StringBuilder s = new StringBuilder(CText.frontMatter(model, p + "_kernels.h",
                "kernel library (only the kernels this model uses; included once by " + p + "_model.c)"));
        s.append("#ifndef ").append(guard("KERNELS_H")).append("\n#define ").append(guard("KERNELS_H")).append("\n\n");
        s.append("#include <math.h>\n#include <stdint.h>\n#include <string.h>\n\n");
        s.append(KernelSources.load("common.h")).append('\n');
        if (kernels.contains("simd")) {
            s.append(KernelSources.load("simd.h")).append('\n');
        }
        for (String k : kernels) {
            if (k.equals("simd")) {
                continue;
            }
            s.append(KernelSources.load(k + ".c")).append('\n');
        }
        s.append("#endif\n");
        return s.toString();
    }

    private String source() {
        StringBuilder s = new StringBuilder(CText.frontMatter(model, p + "_model.c",
                "one static function per node; activations in one static arena planned by "
                        + plan.planner() + " (" + arenaBytes() + " bytes)"));
        s.append("#include \"").append(p).append("_model.h\"\n");
        s.append("#include \"").append(p).append("_weights.h\"\n");
        s.append("#include \"").append(p).append("_kernels.h\"\n\n");
        s.append("#ifdef TINYML_PROFILE\nvoid tinyml_profile_begin(int node);\nvoid tinyml_profile_end(int node);\n")
                .append("#define TM_PROF_BEGIN(i) tinyml_profile_begin(i)\n#define TM_PROF_END(i) tinyml_profile_end(i)\n")
                .append("#else\n#define TM_PROF_BEGIN(i) ((void)0)\n#define TM_PROF_END(i) ((void)0)\n#endif\n")
                .append("#ifdef TINYML_DUMP\n/* debugging build: every node's first output, after the node ran */\n")
                .append("void tinyml_dump(int node, const void *data, unsigned bytes);\n")
                .append("#define TM_DUMP(i, p, n) tinyml_dump(i, p, n)\n#else\n#define TM_DUMP(i, p, n) ((void)0)\n")
                .append("#endif\n\n");
        s.append("static uint8_t ").append(p).append("_arena[").append(arenaBytes()).append("] TM_ALIGN(16);\n");
        if (scratchInt16 > 0 && !arena.scratchInArena()) {
            s.append("/* im2col columns of the convolutions */\nstatic int16_t ").append(p).append("_col[")
                    .append(scratchInt16).append("] TM_ALIGN(16);\n");
        }
        s.append('\n');
        for (String f : nodeFunctions) {
            s.append(f).append('\n');
        }
        s.append("void *").append(p).append("_input(int i)\n{\n    switch (i) {\n");
        for (int i = 0; i < g.inputs().size(); i++) {
            s.append("    case ").append(i).append(":\n        return ").append(p).append("_arena + ")
                    .append(offset(g.inputs().get(i))).append(";\n");
        }
        s.append("    default:\n        return 0;\n    }\n}\n\n");
        s.append("void *").append(p).append("_output(int i)\n{\n    switch (i) {\n");
        for (int i = 0; i < g.outputs().size(); i++) {
            s.append("    case ").append(i).append(":\n        return ").append(p).append("_arena + ")
                    .append(offset(g.outputs().get(i))).append(";\n");
        }
        s.append("    default:\n        return 0;\n    }\n}\n\n");
        s.append("int ").append(p).append("_invoke(const void *const inputs[], void *const outputs[])\n{\n");
        for (int i = 0; i < g.inputs().size(); i++) {
            int t = g.inputs().get(i);
            s.append("    if (inputs[").append(i).append("] != (const void *)(").append(p).append("_arena + ")
                    .append(offset(t)).append(")) {\n");
            s.append("        memcpy(").append(p).append("_arena + ").append(offset(t)).append(", inputs[").append(i)
                    .append("], ").append(g.tensor(t).byteSize()).append("u);\n    }\n");
        }
        for (int i = 0; i < g.nodes().size(); i++) {
            s.append("    TM_PROF_BEGIN(").append(i).append(");\n");
            s.append("    if (").append(p).append("_node").append(i).append("() != 0) {\n        return ").append(i + 1)
                    .append(";\n    }\n");
            s.append("    TM_PROF_END(").append(i).append(");\n");
            int out = g.node(i).output(0);
            s.append("    TM_DUMP(").append(i).append(", ").append(ptr(out, "uint8_t", true)).append(", ")
                    .append(g.tensor(out).byteSize()).append("u);\n");
        }
        for (int i = 0; i < g.outputs().size(); i++) {
            int t = g.outputs().get(i);
            s.append("    if (outputs[").append(i).append("] != (void *)(").append(p).append("_arena + ")
                    .append(offset(t)).append(")) {\n");
            s.append("        memcpy(outputs[").append(i).append("], ").append(ptr(t, "uint8_t", true)).append(", ")
                    .append(g.tensor(t).byteSize()).append("u);\n    }\n");
        }
        s.append("    return 0;\n}\n");
        return s.toString();
    }
}
