package io.tinyml.core.estimate;

import io.tinyml.core.estimate.plan.ExecutionOrderSearch;
import io.tinyml.core.estimate.plan.GreedyBySizePlanner;
import io.tinyml.core.estimate.plan.InPlace;
import io.tinyml.core.estimate.plan.MemoryPlan;
import io.tinyml.core.estimate.plan.MemoryPlanner;
import io.tinyml.core.estimate.plan.PlanProblem;
import io.tinyml.core.ir.Graph;
import io.tinyml.core.ir.Model;
import io.tinyml.core.ir.Node;
import io.tinyml.core.ir.OpKind;
import io.tinyml.core.ir.Tensor;
import io.tinyml.core.target.Target;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Estimates flash, RAM, latency and energy of a model on a target, per layer, before deployment.
 * Fast (no allocation beyond the result and the plan): the architecture search calls it in its inner
 * loop. The cost model and the source of every coefficient are documented on {@code CostModel}
 * (package-private) and summarised in each estimate's notes when a figure is provisional.
 * Immutable and thread-safe (the planner must be, as all planners in this SDK are).
 *
 * <pre>{@code
 * Estimator est = Estimator.builder().setTarget(TargetCatalog.get("cortex-m4"))
 *         .optKernels(KernelLibrary.OPTIMIZED).build();
 * Estimate e = est.estimate(model);
 * System.out.println(EstimateReports.text(e));
 * }</pre>
 */
public final class Estimator {
    private final Target target;
    private final KernelLibrary kernels;
    private final MemoryPlanner planner;
    private final Set<InPlace> inPlace;
    private final double latencyBudgetMs;
    private final java.time.Duration orderSearch;
    private final long orderSearchNodes;

    private Estimator(Builder b) {
        this.target = b.target;
        this.kernels = b.kernels;
        this.planner = b.planner;
        this.inPlace = b.inPlace != null ? Set.copyOf(b.inPlace) : defaultInPlace(b.kernels);
        this.latencyBudgetMs = b.latencyBudgetMs;
        this.orderSearch = b.orderSearch;
        this.orderSearchNodes = b.orderSearchNodes;
    }

    /**
     * The in-place reuse a kernel library does: TFLM's kernels (reference, optimized) only share a
     * reshape's bytes; the SDK's generated C also lets element-wise operators write over their input
     * ({@link GeneratedArena#IN_PLACE}). (Depthwise in place is not assumed: a stride-2 depthwise
     * output aliased into its input's buffer kept that buffer alive into the next convolution,
     * measured on the digit-search front: 3,200 estimated, 2,000 generated.)
     *
     * @param kernels the library
     * @return the in-place kinds
     */
    public static Set<InPlace> defaultInPlace(KernelLibrary kernels) {
        if (kernels == KernelLibrary.GENERATED) {
            return GeneratedArena.IN_PLACE;
        }
        return EnumSet.of(InPlace.RESHAPE_ALIAS);
    }

    /** @return a new builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the target */
    public Target target() {
        return target;
    }

    /** @return the kernel library */
    public KernelLibrary kernels() {
        return kernels;
    }

    /**
     * Estimates a model, labelled with the file name of its source.
     *
     * @param model the model
     * @return the estimate
     */
    public Estimate estimate(Model model) {
        String source = model.provenance().source();
        int slash = Math.max(source.lastIndexOf('/'), source.lastIndexOf('\\'));
        return estimate(model.graph(), source.substring(slash + 1));
    }

    /**
     * Checks whether a model fits: the estimate's violations and unsupported operators.
     *
     * @param model the model
     * @return the fit check
     */
    public FitCheck check(Model model) {
        return new FitCheck(estimate(model));
    }

    /**
     * Estimates a graph.
     *
     * @param g the graph
     * @param label a name for reports
     * @return the estimate
     */
    public Estimate estimate(Graph g, String label) {
        int n = g.nodes().size();
        List<String> notes = new ArrayList<>();
        KernelLibrary effective = kernels;
        if (kernels == KernelLibrary.OPTIMIZED && !CostModel.optimizedAvailable(target)) {
            effective = KernelLibrary.REFERENCE;
            notes.add("no optimized kernels for " + target.core().displayName() + " (no SIMD extension): reference"
                    + " kernels assumed");
        } else if (kernels == KernelLibrary.OPTIMIZED && CostModel.optimizedProvisional(target)) {
            notes.add("optimized kernels on " + target.core().displayName()
                    + ": PROVISIONAL, CMSIS-NN's Armv7E-M instruction counts assumed");
        }
        if (kernels.provisional()) {
            notes.add("generated kernels: PROVISIONAL coefficients (reference figures) until the code generation"
                    + " issue calibrates them");
        }
        if (target.core().provisional() && !target.emulated()) {
            notes.add(target.core().displayName() + " throughput: PROVISIONAL (Cortex-M4 per-MHz throughput assumed)");
        }
        CycleModel.Timing timing = CycleModel.timing(target, kernels, effective);
        notes.add(timing.note());
        if (!target.emulated() && target.activePowerMw() == 0) {
            notes.add("energy: not estimated (" + target.powerSource() + ")");
        }
        long[] macs = new long[n];
        long[] scratch = new long[n];
        boolean anyFloat = false;
        for (int i = 0; i < n; i++) {
            Node node = g.node(i);
            macs[i] = CostModel.macs(g, node);
            scratch[i] = kernels == KernelLibrary.GENERATED ? GeneratedArena.scratchBytes(g, node)
                    : CostModel.scratchBytes(effective, g, node);
            anyFloat |= g.tensor(node.output(0)).type().isFloat();
        }
        if (anyFloat) {
            notes.add("float32 operators: PROVISIONAL, int8 instruction counts assumed");
        }
        PlanProblem problem;
        GeneratedArena generated = null;
        if (kernels == KernelLibrary.GENERATED && orderSearch == null && planner instanceof GreedyBySizePlanner
                && inPlace.equals(GeneratedArena.IN_PLACE)) {
            // the generated C's own plan (GeneratedArena, shared with the generator): the arena it declares
            generated = GeneratedArena.plan(g);
            problem = generated.problem();
        } else if (orderSearch != null) {
            int[] order = new ExecutionOrderSearch(orderSearch, orderSearchNodes, io.tinyml.core.ProgressListener.NONE)
                    .bestOrder(g, scratch, PlanProblem.DEFAULT_ALIGNMENT);
            problem = PlanProblem.of(g, order, inPlace, scratch, PlanProblem.DEFAULT_ALIGNMENT);
        } else {
            problem = PlanProblem.of(g, inPlace, scratch, PlanProblem.DEFAULT_ALIGNMENT);
        }
        MemoryPlan plan = generated != null ? generated.plan() : planner.plan(problem);
        long activations = generated != null ? generated.totalBytes() : plan.peak();

        double cpi = timing.cyclesPerInstruction();
        double mhz = target.clockMhz();
        List<LayerEstimate> layers = new ArrayList<>(n);
        long totalCycles = 0;
        long requantChannels = 0;
        long nodeState = 0;
        long maxScratch = 0;
        Set<OpKind> kinds = EnumSet.noneOf(OpKind.class);
        List<String> unsupported = new ArrayList<>();
        int[] order = problem.order();
        for (int s = 0; s < n; s++) {
            int i = order[s];
            Node node = g.node(i);
            OpKind k = node.op().kind();
            kinds.add(k);
            if (CostModel.unsupported(kernels, k)) {
                unsupported.add(k + " at node '" + node.name() + "' (no " + kernels.cliName() + " kernel on "
                        + target.name() + ")");
            }
            // TFLM's reshape copies only when input and output are different buffers (reshape.cc)
            boolean aliased = k == OpKind.RESHAPE && node.input(0) != Node.ABSENT
                    && problem.bufferOfTensor(node.input(0)) >= 0
                    && problem.bufferOfTensor(node.input(0)) == problem.bufferOfTensor(node.output(0));
            double insns = aliased ? CostModel.PER_NODE : CostModel.instructions(effective, g, node, macs[i]);
            long cyc = Math.round(insns * cpi
                    + timing.stallPerFlashWord() * CycleModel.flashWordReads(g, node, effective));
            totalCycles += cyc;
            long sb = problem.scratchOfNode(i) >= 0 ? problem.buffers().get(problem.scratchOfNode(i)).size() : 0;
            maxScratch = Math.max(maxScratch, sb);
            layers.add(new LayerEstimate(i, node.name(), k.name(), macs[i], cyc, cyc / (mhz * 1000.0),
                    problem.liveBytes(s), sb));
            requantChannels += CostModel.requantChannels(g, node);
            nodeState += CostModel.nodeStateBytes(k);
        }
        boolean interpreter = kernels != KernelLibrary.GENERATED;
        long tensorState = interpreter ? CostModel.TENSOR_RECORD * g.tensors().size() : 0;
        long requant = interpreter ? requantChannels * 8 : 0;
        if (generated != null && !generated.scratchInArena()) {
            maxScratch = generated.separateScratchBytes();
        }
        RamBreakdown ram = new RamBreakdown(activations, maxScratch, requant, interpreter ? nodeState : 0,
                tensorState, CostModel.STACK, interpreter ? CostModel.RUNTIME_STATIC : 0);

        long weights = 0;
        long quant = 0;
        long format = 0;
        int buffers = 0;
        for (Tensor t : g.tensors()) {
            if (t.isConstant()) {
                weights += t.byteSize();
                buffers++;
            }
            if (interpreter) {
                if (t.quant().isPresent()) {
                    quant += 12L * t.quant().get().size();
                }
                format += 64 + t.name().length() + 4L * t.shape().rank();
            }
        }
        if (interpreter) {
            for (Node node : g.nodes()) {
                format += 48 + 4L * (node.inputs().size() + node.outputs().size());
            }
            format += 16L * buffers + 512;
        }
        FlashBreakdown flash = interpreter
                ? new FlashBreakdown(weights, quant, format, CostModel.kernelCode(kernels, kinds),
                        CostModel.RUNTIME_FLASH)
                : new FlashBreakdown(weights - SparseWeights.savedBytes(g), GeneratedFlash.tables(g), 0,
                        GeneratedFlash.code(g),
                        GeneratedFlash.RUNTIME);

        double latencyMs = totalCycles / (mhz * 1000.0);
        double energyUj = latencyMs * target.activePowerMw(); // ms x mW = uJ
        List<Violation> violations = new ArrayList<>();
        if (ram.total() > target.ramBytes()) {
            violations.add(new Violation("RAM", ram.total(), target.ramBytes(), "B"));
        }
        if (flash.total() > target.flashBytes()) {
            violations.add(new Violation("flash", flash.total(), target.flashBytes(), "B"));
        }
        if (latencyBudgetMs > 0 && latencyMs > latencyBudgetMs) {
            violations.add(new Violation("latency", Math.round(latencyMs * 1000), Math.round(latencyBudgetMs * 1000),
                    "us"));
        }
        return new Estimate(label, target, kernels, flash, ram, totalCycles, latencyMs, energyUj, layers, plan,
                violations, unsupported, notes, timing.memory(), timing.latency());
    }

    /**
     * Builds an {@link Estimator}: {@code setTarget} is required; kernels default to reference, the
     * planner to greedy-by-size, in-place reuse to what the kernel library can do. Not thread-safe.
     */
    public static final class Builder {
        private Target target;
        private KernelLibrary kernels = KernelLibrary.REFERENCE;
        private MemoryPlanner planner = new GreedyBySizePlanner();
        private Set<InPlace> inPlace;
        private double latencyBudgetMs;
        private java.time.Duration orderSearch;
        private long orderSearchNodes = Long.MAX_VALUE;

        private Builder() {
        }

        /**
         * Searches the execution order for the smallest peak of live bytes before planning (for
         * branchy graphs; layers are then reported in the order found).
         *
         * @param budget the search's time budget
         * @return this
         */
        public Builder optOrderSearch(java.time.Duration budget) {
            return optOrderSearch(budget, Long.MAX_VALUE);
        }

        /**
         * Searches the execution order within a time budget and a budget of search nodes, whichever ends first;
         * a node budget makes the order found independent of the machine's speed.
         *
         * @param budget the search's time budget
         * @param maxNodes the most search nodes to visit (positive)
         * @return this
         * @throws IllegalArgumentException if {@code maxNodes} is not positive
         */
        public Builder optOrderSearch(java.time.Duration budget, long maxNodes) {
            if (maxNodes <= 0) {
                throw new IllegalArgumentException("expected a positive node budget, found " + maxNodes);
            }
            orderSearch = Objects.requireNonNull(budget, "budget");
            orderSearchNodes = maxNodes;
            return this;
        }

        /** @param t the target @return this */
        public Builder setTarget(Target t) {
            target = t;
            return this;
        }

        /** @param k the kernel library @return this */
        public Builder optKernels(KernelLibrary k) {
            kernels = Objects.requireNonNull(k, "kernels");
            return this;
        }

        /** @param p the memory planner @return this */
        public Builder optPlanner(MemoryPlanner p) {
            planner = Objects.requireNonNull(p, "planner");
            return this;
        }

        /** @param s in-place reuse to apply instead of the library's default @return this */
        public Builder optInPlace(Set<InPlace> s) {
            inPlace = Objects.requireNonNull(s, "inPlace");
            return this;
        }

        /** @param ms a latency budget in milliseconds (0 for none) @return this */
        public Builder optLatencyBudgetMs(double ms) {
            if (!(ms >= 0)) {
                throw new IllegalArgumentException("expected a non-negative latency budget, found " + ms);
            }
            latencyBudgetMs = ms;
            return this;
        }

        /**
         * Builds the estimator.
         *
         * @return the estimator
         * @throws IllegalStateException if no target was set
         */
        public Estimator build() {
            if (target == null) {
                throw new IllegalStateException("expected a target, found none (call setTarget)");
            }
            return new Estimator(this);
        }
    }
}
